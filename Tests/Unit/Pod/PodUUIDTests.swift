// Pod UUIDs: generation, parsing, and resolution of prefixes by the store.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem
import XCTest

@testable import SkiffPod

final class PodUUIDTests: PodTestCase {
    /// New UUIDs are RFC 4122 version 4, lowercase canonical, and distinct.
    func testRandomIsVersion4LowercaseCanonical() throws {
        var seen = Set<String>()
        for _ in 0..<200 {
            let text = PodUUID.random().value
            let bytes = Array(text.utf8)
            XCTAssertEqual(bytes.count, 36, text)
            for index in [8, 13, 18, 23] { XCTAssertEqual(bytes[index], UInt8(ascii: "-"), text) }
            XCTAssertTrue(text.allSatisfy { "0123456789abcdef-".contains($0) }, text)
            XCTAssertEqual(bytes[14], UInt8(ascii: "4"), "version nibble of \(text)")
            XCTAssertTrue("89ab".utf8.contains(bytes[19]), "variant nibble of \(text)")
            XCTAssertEqual(try PodUUID(parsing: text).value, text)
            seen.insert(text)
        }
        XCTAssertEqual(seen.count, 200)
    }

    /// Parsing accepts any case and the unhyphenated form, and yields the canonical text.
    func testParsingCanonicalises() throws {
        let canonical = "2f1c7b5e-0c3a-4d7e-9b1a-6f0e8d2c4b3a"
        XCTAssertEqual(try PodUUID(parsing: canonical.uppercased()).value, canonical)
        XCTAssertEqual(try PodUUID(parsing: "2F1C7B5E0C3A4D7E9B1A6F0E8D2C4B3A").value, canonical)
        XCTAssertEqual(try PodUUID(parsing: canonical), try PodUUID(parsing: canonical.uppercased()))
        XCTAssertEqual(try PodUUID(parsing: canonical).description, canonical)
    }

    /// Malformed text is a usage error naming the text.
    func testParsingRejectsNonUUIDsNamingTheText() {
        for text in ["", "2f1c7b5e", "2f1c7b5e-0c3a-4d7e-9b1a-6f0e8d2c4b3", "2f1c7b5e-0c3a-4d7e-9b1a-6f0e8d2c4b3g",
            "2f1c7b5e00c3a-4d7e-9b1a-6f0e8d2c4b3a", "x2f1c7b5e-0c3a-4d7e-9b1a-6f0e8d2c4b3a"]
        {
            XCTAssertThrowsError(try PodUUID(parsing: text), text) { error in
                let error = error as? SkiffError
                XCTAssertEqual(error?.code, .usage)
                XCTAssertTrue(error?.message.contains("\"\(text)\"") ?? false, error?.message ?? "")
            }
        }
    }

    /// find resolves full UUIDs in any case, and unique prefixes, in whatever state the pod is.
    func testFindByUUIDAndUniquePrefix() throws {
        let first = try PodUUID(parsing: "aa11b5e0-0c3a-4d7e-9b1a-6f0e8d2c4b3a")
        let second = try PodUUID(parsing: "aa22b5e0-0c3a-4d7e-9b1a-6f0e8d2c4b3a")
        let third = try PodUUID(parsing: "bb33b5e0-0c3a-4d7e-9b1a-6f0e8d2c4b3a")
        try makePod(.run, uuid: first)
        try makePod(.prepared, uuid: second)
        try makePod(.exitedGarbage, uuid: third)
        XCTAssertEqual(try store.find(first.value).state, .run)
        XCTAssertEqual(try store.find(first.value.uppercased()).uuid, first)
        XCTAssertEqual(try store.find("aa1").uuid, first)
        XCTAssertEqual(try store.find("AA22").state, .prepared)
        XCTAssertEqual(try store.find("bb").uuid, third)
        XCTAssertEqual(try store.find("bb").state, .exitedGarbage)
        XCTAssertEqual(try store.find("bb33b5e0-0c").path, store.path(of: third, in: .exitedGarbage))
    }

    /// An ambiguous prefix, an unknown one, a one-character one and a non-hex one are errors
    /// naming the text.
    func testFindErrors() throws {
        try makePod(.run, uuid: try PodUUID(parsing: "aa11b5e0-0c3a-4d7e-9b1a-6f0e8d2c4b3a"))
        try makePod(.garbage, uuid: try PodUUID(parsing: "aa22b5e0-0c3a-4d7e-9b1a-6f0e8d2c4b3a"))
        let cases: [(String, SkiffError.Code, String)] = [
            ("aa", .usage, "ambiguous"), ("cc", .notFound, "no such pod"),
            ("cc11b5e0-0c3a-4d7e-9b1a-6f0e8d2c4b3a", .notFound, "no such pod"), ("a", .usage, "at least 2"),
            ("zz", .usage, "not a pod uuid"),
        ]
        for (text, code, cause) in cases {
            XCTAssertThrowsError(try store.find(text), text) { error in
                let error = error as? SkiffError
                XCTAssertEqual(error?.code, code, text)
                XCTAssertTrue(error?.message.contains("\"\(text)\"") ?? false, error?.message ?? "")
                XCTAssertTrue(error?.message.contains(cause) ?? false, error?.message ?? "")
            }
        }
    }

    /// Entries of state directories that are not canonical UUIDs are not pods.
    func testNonPodEntriesAreIgnored() throws {
        let pod = try makePod(.run)
        try FileSystem.createDirectory(store.directory(of: .run) + "/not-a-pod")
        try FileSystem.createDirectory(store.directory(of: .run) + "/" + pod.uuid.value.uppercased())
        XCTAssertEqual(try store.all().map(\.uuid), [pod.uuid])
        XCTAssertEqual(try store.find(pod.uuid.value.uppercased()).path, pod.path)
    }
}
