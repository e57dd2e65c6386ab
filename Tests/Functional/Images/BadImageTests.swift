// Hostile and broken archives: each a one-line error naming the image, status 254, store unchanged.
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class BadImageTests: XCTestCase {
    var world: SkiffHarness!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SkiffHarness.binary), "no skiff binary: build first")
        world = try SkiffHarness()
    }

    override func tearDown() { world = nil }

    /// Fetches insecurely (signatures are not what these tests are about) and expects a refusal.
    private func refuse(
        _ path: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let before = try world.storeSnapshot()
        let result = try world.run("--insecure-options=image", "fetch", path)
        world.assertFailure(result, contains: expected, file: file, line: line)
        XCTAssertTrue(result.stderrText.contains(path), "the error names the image: \(result.stderrText)", file: file, line: line)
        XCTAssertEqual(try world.storeSnapshot(), before, "store unchanged", file: file, line: line)
    }

    private func aci(_ name: String, manifest: String? = ACIBuilder.manifest(name: "example.com/bad"),
                     _ entries: [TestEntry], compression: String = "none", rootfsEntry: Bool = true) throws -> String {
        try ACIBuilder.write(world.scratch + "/" + name, manifest: manifest, entries: entries, compression: compression, rootfsEntry: rootfsEntry)
    }

    func testCorruptAndTruncatedArchives() throws {
        let good = try aci("good.aci", [.file("a", String(repeating: "x", count: 100_000))], compression: "gzip")
        var bytes = try FileSystem.read(good)
        let truncated = world.scratch + "/truncated.aci"
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: truncated))
        try refuse(truncated, "gzip")
        bytes[bytes.count / 2] ^= 0xff
        bytes[bytes.count / 2 + 1] ^= 0xff
        let corrupt = world.scratch + "/corrupt.aci"
        try Data(bytes).write(to: URL(fileURLWithPath: corrupt))
        try refuse(corrupt, "gzip")
        let plain = try aci("plain.aci", [.file("a", String(repeating: "y", count: 10_000))])
        let cut = world.scratch + "/cut.aci"
        try Data(try FileSystem.read(plain).prefix(5000)).write(to: URL(fileURLWithPath: cut))
        try refuse(cut, "truncated")
    }

    func testWrongMagicIsNotAnArchive() throws {
        let path = world.scratch + "/text.aci"
        try String(repeating: "this is not an archive\n", count: 100).write(toFile: path, atomically: true, encoding: .utf8)
        try refuse(path, "neither a tar archive nor")
    }

    func testLayoutRules() throws {
        try refuse(try aci("nomanifest.aci", manifest: nil, [.file("a", "x")]), "no manifest")
        try refuse(try aci("extra.aci", [.raw("extra", contents: "x")]), "unexpected top-level entry \"extra\"")
        try refuse(try aci("dup.aci", [.file("a", "1"), .file("a", "2")]), "duplicate entry \"rootfs/a\"")
        try refuse(try aci("rootfsfile.aci", [.raw("rootfs", contents: "x")], rootfsEntry: false), "rootfs is not a directory")
        try refuse(try aci("norootfs.aci", [], rootfsEntry: false), "no rootfs")
    }

    func testBadManifests() throws {
        let cases: [(String, String)] = [
            (#"{"acKind":"PodManifest","acVersion":"0.8.11","name":"example.com/x"}"#, "acKind"),
            (#"{"acKind":"ImageManifest","acVersion":"0.8","name":"example.com/x"}"#, "acVersion"),
            (#"{"acKind":"ImageManifest","acVersion":"0.8.11","name":"Example.com/X"}"#, "name"),
            (#"{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/x","labels":[{"name":"os","value":"plan9"}]}"#, "os"),
            (#"{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/x","app":{"exec":["/x"],"group":"0"}}"#, "user"),
            ("{not json", "manifest"),
        ]
        for (index, (manifest, field)) in cases.enumerated() {
            try refuse(try aci("manifest\(index).aci", manifest: manifest, [.file("a", "x")]), field)
        }
    }

    func testPathEscapesOfEveryKind() throws {
        try refuse(try aci("dotdot.aci", [.raw("rootfs/../../escape")]), "\"..\"")
        try refuse(try aci("inner-dotdot.aci", [.raw("rootfs/a/../../escape")]), "\"..\"")
        try refuse(try aci("absolute.aci", [.raw("/etc/escape")]), "absolute path")
        try refuse(
            try aci("through-symlink.aci", [.symlink("evil", to: "/tmp"), .raw("rootfs/evil/escape")]),
            "goes through the symlink \"rootfs/evil\"")
        try refuse(
            try aci("relative-symlink.aci", [.symlink("up", to: "../../.."), .raw("rootfs/up/escape")]),
            "goes through the symlink")
        try refuse(
            try aci("hardlink-out.aci", [.raw("rootfs/link", kind: .hardlink, linkTarget: "../outside")]), "\"..\"")
        try refuse(
            try aci("hardlink-abs.aci", [.raw("rootfs/link", kind: .hardlink, linkTarget: "/etc/passwd")]), "absolute path")
        try refuse(
            try aci("hardlink-manifest.aci", [.raw("rootfs/link", kind: .hardlink, linkTarget: "manifest")]),
            "points outside rootfs")
        try refuse(
            try aci("hardlink-symlink.aci", [.symlink("s", to: "/etc/shadow"), .raw("rootfs/h", kind: .hardlink, linkTarget: "rootfs/s")]),
            "points to a symlink")
    }

    func testDecompressionBombStopsAtTheConfiguredLimit() throws {
        try FileSystem.createDirectory(world.localConfig + "/image.d")
        try #"{"skiffKind":"image","skiffVersion":"v1","maxImageBytes":10000000}"#
            .write(toFile: world.localConfig + "/image.d/limits.json", atomically: true, encoding: .utf8)
        // 50 MB of zeros in one file compress to about 50 KB.
        let bomb = try aci("bomb.aci", [.file("zeros", String(repeating: "\0", count: 50_000_000))], compression: "gzip")
        let size = try FileSystem.status(bomb).st_size
        XCTAssertLessThan(size, 1_000_000)
        try refuse(bomb, "10000000")
    }

    func testBadLimitsConfigIsNamed() throws {
        try FileSystem.createDirectory(world.localConfig + "/image.d")
        try #"{"skiffKind":"image","skiffVersion":"v1","maxImageBytes":-1}"#
            .write(toFile: world.localConfig + "/image.d/limits.json", atomically: true, encoding: .utf8)
        let path = try aci("ok.aci", [.file("a", "x")])
        world.assertFailure(try world.run("--insecure-options=image", "fetch", path), contains: "limits.json")
    }
}
