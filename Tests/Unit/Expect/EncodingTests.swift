// UTF-8 split across reads, invalid bytes, and stripping ANSI escape sequences.
import Expect
import XCTest

final class EncodingTests: XCTestCase {
    /// Prints "é" (C3 A9) as two writes with a pause between, so they arrive in two reads.
    private let splitE = ["sh", "-c", "printf 'caf\\303'; sleep 0.3; printf '\\251!\\n'"]

    func testExpectMatchesACharacterSplitAcrossReads() throws {
        let session = try spawn(splitE)
        let match = try session.expect("é!")
        XCTAssertEqual(match.beforeText, "caf")
        XCTAssertEqual(match.text, "é!")
    }

    func testReadLineDecodesACharacterSplitAcrossReads() throws {
        XCTAssertEqual(try spawn(splitE).readLine(), "café!")
    }

    func testTextTranscriptNeverMangleASplitCharacter() throws {
        final class Log { var chunks: [String] = [] }
        let log = Log()
        let options = SpawnOptions(transcript: .text { direction, text in
            if direction == .output { log.chunks.append(text) }
        })
        let session = try spawn(splitE, options: options)
        XCTAssertEqual(try session.wait(), .exited(0))
        session.close()
        XCTAssertGreaterThanOrEqual(log.chunks.count, 2, "the output came in two reads")
        XCTAssertEqual(log.chunks.joined(), "café!\r\n")
        XCTAssertFalse(log.chunks.joined().contains("\u{FFFD}"))
    }

    func testStreamDecoderHoldsBackIncompleteSequencesOnly() {
        var decoder = UTF8StreamDecoder()
        XCTAssertEqual(decoder.decode([0x61, 0xe2, 0x82]), "a")  // "a" + first 2 bytes of "€"
        XCTAssertEqual(decoder.decode([0xac, 0x62]), "€b")
        XCTAssertEqual(decoder.decode([0xff, 0x63]), "\u{FFFD}c", "invalid bytes are replaced, not held")
        XCTAssertEqual(decoder.decode([0xf0, 0x9f]), "")
        XCTAssertEqual(decoder.decode([], final: true), "\u{FFFD}", "final flushes a truncated sequence")
    }

    func testInvalidUTF8IsStillMatchable() throws {
        let session = try spawn(["printf", "bad\\377byte"])
        let match = try session.expect("byte")
        XCTAssertEqual(match.before, [0x62, 0x61, 0x64, 0xff])
        XCTAssertEqual(match.beforeText, "bad\u{FFFD}")
    }

    func testStripANSIRemovesColoursTitlesAndBracketedPaste() throws {
        let script = #"printf '\033[?2004h\033]0;title\007\033[1;31mred\033[0m \033(Bplain\n'"#
        let raw = try spawn(["sh", "-c", script])
        XCTAssertTrue(try raw.readLine()?.contains("\u{1b}[1;31m") ?? false, "without the option, escapes stay")

        let session = try spawn(["sh", "-c", script], options: SpawnOptions(stripANSI: true))
        XCTAssertEqual(try session.readLine(), "red plain")
    }

    func testStripperKeepsStateAcrossChunks() {
        var stripper = ANSIStripper()
        var out: [UInt8] = []
        for chunk in ["a\u{1b}", "[3", "1mb\u{1b}]0;ti", "tle\u{1b}", "\\c"] {
            var bytes = Array(chunk.utf8)
            bytes.withUnsafeMutableBytes { stripper.filter(UnsafeRawBufferPointer($0), into: &out) }
        }
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "abc")
        XCTAssertEqual(ANSIStripper.strip("\u{1b}[2J\u{1b}[Hhome\u{1b}=é"), "homeé")
    }
}
