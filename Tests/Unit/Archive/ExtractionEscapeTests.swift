// Every way out of the root, each its own test, each run with openat2 and with the userspace
// walker: the named error is thrown and nothing appears outside the root.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem
import XCTest

@testable import SkiffArchive

final class ExtractionEscapeTests: ArchiveTestCase {
    /// A root, an empty "outside" directory next to it, and a host file to aim hard links at.
    private struct Scene {
        let dir: TempDir
        let root: String
        let outside: String
        let hostFile: String
    }

    private func scene() throws -> Scene {
        let dir = try TempDir(self)
        let scene = Scene(dir: dir, root: try dir.dir("root"), outside: try dir.dir("outside"), hostFile: dir.path + "/host/secret")
        try FileSystem.createDirectory(dir.path + "/host")
        try FileSystem.writeAtomically(scene.hostFile, Array("secret".utf8))
        return scene
    }

    /// Extracts `entries` (built per scene) with both resolvers; expects `error(scene)` exactly and
    /// an untouched outside.
    private func assertRefused(
        _ entries: (Scene) -> [(TarEntry, [UInt8])], error: (Scene) -> String, line: UInt = #line
    ) throws {
        for resolution in Resolution.allCases {
            let s = try scene()
            let bytes = try makeTar(s.dir, entries(s))
            let extractor = try SafeExtractor(root: s.root, options: resolution.options)
            if resolution == .userspace { XCTAssertFalse(extractor.usesOpenat2) }
            let message = errorMessage(line: line) {
                let reader = TarReader(MemorySource(bytes), name: "evil.tar")
                while let entry = try reader.next() { try extractor.extract(entry, as: entry.path, from: reader) }
                _ = try extractor.finish()
            }
            XCTAssertEqual(message, error(s), "\(resolution)", line: line)
            XCTAssertEqual(try FileSystem.list(s.outside), [], "outside stays empty (\(resolution))", line: line)
            XCTAssertEqual(try FileSystem.list(s.dir.path).sorted(), ["host", "made.tar", "outside", "root"], "nothing next to the root", line: line)
            XCTAssertEqual(try FileSystem.status(s.hostFile).st_nlink, 1, "no link to the host file (\(resolution))", line: line)
            XCTAssertEqual(fileText(s.hostFile), "secret", line: line)
        }
    }

    func testOpenat2IsUsedWhenAvailable() throws {
        let s = try scene()
        XCTAssertTrue(try SafeExtractor(root: s.root, options: Resolution.openat2.options).usesOpenat2, "kernel \(uname())")
    }

    func testDotDot() throws {
        try assertRefused({ _ in [file("../outside/x", "x")] },
                          error: { _ in "extract \"../outside/x\" of \"evil.tar\": path escapes the target" })
    }

    func testDotDotAfterAComponent() throws {
        try assertRefused({ _ in [file("a/../../outside/x", "x")] },
                          error: { _ in "extract \"a/../../outside/x\" of \"evil.tar\": path escapes the target" })
    }

    func testAbsolutePath() throws {
        try assertRefused({ s in [file(s.outside + "/x", "x")] },
                          error: { s in "extract \"\(s.outside)/x\" of \"evil.tar\": absolute path" })
    }

    func testWriteThroughAbsoluteSymlink() throws {
        try assertRefused({ s in [symlink("evil", to: s.outside), file("evil/file", "x")] },
                          error: { _ in "extract \"evil/file\" of \"evil.tar\": missing directory \"evil\" behind the symlink \"evil\"" })
    }

    func testWriteThroughRelativeSymlinkClimbingOut() throws {
        // "../../.." from the root stops at the root (as in the container): the outside
        // directory's path, followed from there, does not exist inside the root.
        try assertRefused({ s in [symlink("evil", to: "../../.."), file("evil" + s.outside + "/file", "x")] },
                          error: { s in "extract \"evil\(s.outside)/file\" of \"evil.tar\": missing directory \"evil\(s.outside)\" behind the symlink \"evil\"" })
        for resolution in Resolution.allCases {
            let s = try scene()
            // ".." from the root is the root: on the host it would be the temporary directory.
            try extract(try makeTar(s.dir, [symlink("evil", to: ".."), file("evil/file", "x")]), into: s.root, options: resolution.options)
            XCTAssertEqual(fileText(s.root + "/file"), "x", "\"evil/file\" is \"/file\" inside the root (\(resolution))")
            XCTAssertEqual(try FileSystem.list(s.outside), [])
            XCTAssertFalse(FileSystem.exists(s.dir.path + "/file"))
        }
    }

    func testSymlinkChain() throws {
        try assertRefused({ s in [symlink("a", to: "b"), symlink("b", to: "c/../d"), directory("c/"), symlink("d", to: "../" + FileSystem.baseName(s.outside)),
                                  file("a/file", "x")] },
                          error: { _ in "extract \"a/file\" of \"evil.tar\": missing directory \"a\" behind the symlink \"a\"" })
    }

    func testSymlinkLoop() throws {
        try assertRefused({ _ in [symlink("a", to: "b"), symlink("b", to: "a"), file("a/file", "x")] },
                          error: { _ in "extract \"a/file\" of \"evil.tar\": too many symlinks in parent \"a\"" })
    }

    func testHardLinkToDotDot() throws {
        try assertRefused({ _ in [hardlink("h", to: "../host/secret")] },
                          error: { _ in "extract \"h\" of \"evil.tar\": hard link to outside the root (\"../host/secret\")" })
    }

    func testHardLinkToAbsolutePath() throws {
        try assertRefused({ s in [hardlink("h", to: s.hostFile)] },
                          error: { s in "extract \"h\" of \"evil.tar\": hard link to outside the root (\"\(s.hostFile)\")" })
    }

    func testHardLinkToASymlink() throws {
        try assertRefused({ s in [symlink("s", to: s.hostFile), hardlink("h", to: "s")] },
                          error: { _ in "extract \"h\" of \"evil.tar\": hard link to a symlink (\"s\")" })
    }

    func testHardLinkThroughASymlinkedParent() throws {
        try assertRefused({ s in [symlink("up", to: "/"), hardlink("h", to: "up" + s.hostFile)] },
                          error: { s in "extract \"h\" of \"evil.tar\": hard link to a missing file \"up\(s.hostFile)\"" })
    }

    func testHardLinkToADirectory() throws {
        try assertRefused({ _ in [directory("d/"), hardlink("h", to: "d")] },
                          error: { _ in "extract \"h\" of \"evil.tar\": hard link to a directory (\"d\")" })
    }

    func testSymlinkReplacingADirectoryThenWriteThroughIt() throws {
        try assertRefused({ s in [directory("d/"), file("d/old", "o"), symlink("d", to: s.outside), file("d/file", "x")] },
                          error: { _ in "extract \"d/file\" of \"evil.tar\": missing directory \"d\" behind the symlink \"d\"" })
    }

    func testEmptyAndNulNames() throws {
        try assertRefused({ _ in [file("", "x")] }, error: { _ in "extract \"\" of \"evil.tar\": empty path" })
        // A ustar name ends at its first NUL; a caller (or a PAX path) can still hand one over.
        for resolution in Resolution.allCases {
            let s = try scene()
            let extractor = try SafeExtractor(root: s.root, options: resolution.options)
            let reader = TarReader(MemorySource(try makeTar(s.dir, [file("a", "x")])), name: "evil.tar")
            let entry = try XCTUnwrap(try reader.next())
            let message = errorMessage { try extractor.extract(entry, as: "a\u{0}/../../x", from: reader) }
            XCTAssertEqual(message, "extract \"a\" of \"evil.tar\": path contains a nul byte")
            XCTAssertEqual(try FileSystem.list(s.root), [])
        }
    }

    func testParentsThroughSymlinksStayInside() throws {
        // Merged /usr: "lib -> usr/lib" and "lib64 -> /usr/lib64" are followed, inside the root.
        for resolution in Resolution.allCases {
            let s = try scene()
            try FileSystem.createDirectory(s.outside + "/usr/lib")  // a decoy the host-side resolution would hit
            defer { try? FileSystem.removeTree(s.outside + "/usr") }
            let bytes = try makeTar(s.dir, [
                directory("usr/"), directory("usr/lib/"), directory("usr/lib64/"), symlink("lib", to: "usr/lib"),
                symlink("lib64", to: "/usr/lib64"), symlink("usr/lib/up", to: "../../../../.."),
                file("lib/a", "a"), file("lib64/b", "b"), file("usr/lib/up/usr/lib/c", "c"),
            ])
            try extract(bytes, into: s.root, options: resolution.options)
            XCTAssertEqual(fileText(s.root + "/usr/lib/a"), "a", "\(resolution)")
            XCTAssertEqual(fileText(s.root + "/usr/lib64/b"), "b", "\(resolution)")
            XCTAssertEqual(fileText(s.root + "/usr/lib/c"), "c", "\(resolution)")
            XCTAssertEqual(try FileSystem.list(s.outside + "/usr/lib"), [])
        }
    }

    private func uname() -> String {
        (try? Subprocess.run(["uname", "-r"]))?.stdoutText ?? "?"
    }
}
