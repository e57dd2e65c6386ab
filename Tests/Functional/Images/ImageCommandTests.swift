// skiff image list/rm/export/extract/render/cat-manifest/gc/verify on a real store.
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class ImageCommandTests: XCTestCase {
    var world: SkiffHarness!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SkiffHarness.binary), "no skiff binary: build first")
        world = try SkiffHarness()
    }

    override func tearDown() { world = nil }

    /// Fetches an unsigned test image insecurely and returns its full ID.
    @discardableResult
    private func fetch(_ name: String, version: String = "1.0.0", entries: [TestEntry], file: String? = nil,
                       dependencies: String? = nil, whitelist: [String]? = nil) throws -> String {
        let path = try ACIBuilder.write(
            world.scratch + "/" + (file ?? name.replacingOccurrences(of: "/", with: "_") + "-" + version + ".aci"),
            manifest: ACIBuilder.manifest(name: name, version: version, dependencies: dependencies, pathWhitelist: whitelist),
            entries: entries, compression: "gzip")
        let result = try world.run("--insecure-options=image", "fetch", "--full", path)
        XCTAssertEqual(result.status, 0, result.stderrText)
        return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testListAsTableJSONAndFields() throws {
        let a = try fetch("example.com/a", entries: [.file("f", "a")])
        let b = try fetch("example.com/b", version: "2.0", entries: [.file("f", "bb")])
        let table = try world.run("image", "list")
        XCTAssertEqual(table.status, 0)
        let lines = table.stdoutText.split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[0].hasPrefix("ID"), String(lines[0]))
        XCTAssertTrue(lines[0].contains("NAME") && lines[0].contains("IMPORT TIME") && lines[0].contains("LAST USED"))
        // Both imported within the same second: their order is by ID then.
        let rowA = try XCTUnwrap(lines.first { $0.contains("example.com/a:1.0.0") })
        XCTAssertTrue(rowA.hasPrefix(String(a.prefix(19))), String(rowA))
        XCTAssertTrue(lines.contains { $0.contains("example.com/b:2.0") })

        let json = try world.run("image", "list", "--format=json")
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdoutText.utf8)) as? [[String: Any]])
        XCTAssertEqual(Set(rows.compactMap { $0["id"] as? String }), [a, b])
        XCTAssertEqual(rows.first?["latest"] as? Bool, true)

        let custom = try world.run("image", "list", "--fields=name,latest", "--no-legend", "--full")
        let cells = custom.stdoutText.split(separator: "\n").map { $0.split(separator: " ").filter { !$0.isEmpty }.map(String.init) }
        XCTAssertEqual(cells.sorted { $0[0] < $1[0] }, [["example.com/a:1.0.0", "true"], ["example.com/b:2.0", "true"]])
        world.assertFailure(try world.run("image", "list", "--fields=colour"), contains: "unknown field \"colour\"")
    }

    func testRemoveByNameAndByIDPrefix() throws {
        let a = try fetch("example.com/a", entries: [.file("f", "a")])
        try fetch("example.com/b", entries: [.file("f", "b")])
        XCTAssertEqual(try world.run("image", "rm", String(a.prefix(20))).status, 0)
        XCTAssertEqual(try world.run("image", "rm", "example.com/b").status, 0)
        XCTAssertEqual(try world.run("image", "list", "--no-legend").stdoutText, "")
        let missing = try world.run("image", "rm", "example.com/none")
        XCTAssertEqual(missing.status, 254)
        XCTAssertTrue(missing.stderrText.contains("not in the store"), missing.stderrText)
        XCTAssertFalse(FileManager.default.fileExists(atPath: world.dataDirectory + "/cas/blob/sha512/" + a.dropFirst(7)))
    }

    func testExportRoundTripsToTheSameID() throws {
        let id = try fetch("example.com/a", entries: [.directory("d"), .file("d/f", "contents")])
        let out = world.scratch + "/exported.aci"
        XCTAssertEqual(try world.run("image", "export", id, out).status, 0)
        XCTAssertEqual(try ACIBuilder.imageID(of: out), id, "export writes the stored ACI byte for byte")
        world.assertFailure(try world.run("image", "export", id, out), contains: "exists (use --overwrite)")
        XCTAssertEqual(try world.run("image", "export", "--overwrite", id, out).status, 0)
    }

    func testCatManifest() throws {
        try fetch("example.com/a", entries: [.file("f", "a")])
        let pretty = try world.run("image", "cat-manifest", "example.com/a")
        XCTAssertEqual(pretty.status, 0)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(pretty.stdoutText.utf8)) as? [String: Any])
        XCTAssertEqual(object["name"] as? String, "example.com/a")
        XCTAssertGreaterThan(pretty.stdoutText.split(separator: "\n").count, 3, "indented")
        let compact = try world.run("image", "cat-manifest", "--pretty-print=false", "example.com/a")
        XCTAssertEqual(compact.stdoutText.split(separator: "\n").count, 1)
    }

    func testExtractAndRenderWithDependenciesAndWhitelist() throws {
        // base provides /etc/base and /etc/both; the app overrides /etc/both and keeps only /etc.
        try fetch("example.com/base", entries: [.directory("etc"), .file("etc/base", "from base"), .file("etc/both", "base"),
                                                .directory("junk"), .file("junk/x", "dropped by the whitelist")])
        let deps = #"[{"imageName":"example.com/base","labels":[{"name":"version","value":"1.0.0"}]}]"#
        try fetch("example.com/app", entries: [.directory("etc"), .file("etc/both", "app"), .file("etc/app", "from app")],
                  dependencies: deps, whitelist: ["/etc/base", "/etc/both", "/etc/app"])
        let rendered = world.scratch + "/rendered"
        let render = try world.run("image", "render", "example.com/app", rendered)
        XCTAssertEqual(render.status, 0, render.stderrText)
        XCTAssertEqual(try String(contentsOfFile: rendered + "/rootfs/etc/base", encoding: .utf8), "from base")
        XCTAssertEqual(try String(contentsOfFile: rendered + "/rootfs/etc/both", encoding: .utf8), "app", "the image wins over its dependency")
        XCTAssertFalse(FileManager.default.fileExists(atPath: rendered + "/rootfs/junk"), "pathWhitelist drops the rest")
        XCTAssertTrue(FileManager.default.fileExists(atPath: rendered + "/manifest"))

        let extracted = world.scratch + "/extracted"
        XCTAssertEqual(try world.run("image", "extract", "--rootfs-only", "example.com/app", extracted).status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: extracted + "/etc/base"), "extract ignores dependencies")
        XCTAssertEqual(try String(contentsOfFile: extracted + "/etc/app", encoding: .utf8), "from app")
        world.assertFailure(try world.run("image", "extract", "example.com/app", extracted), contains: "--overwrite")
    }

    func testRenderNeedsDependenciesInTheStore() throws {
        let deps = #"[{"imageName":"example.com/missing"}]"#
        let path = try ACIBuilder.write(world.scratch + "/app.aci", manifest: ACIBuilder.manifest(name: "example.com/app", dependencies: deps),
                                        entries: [.file("a", "x")])
        let result = try world.run("--insecure-options=image", "fetch", "--pull-policy=never", path)
        XCTAssertEqual(result.status, 254)
    }

    func testVerifyFindsAndRepairsAChangedTreeAndReportsACorruptImage() throws {
        let id = try fetch("example.com/a", entries: [.directory("bin"), .file("bin/tool", "original", mode: 0o755)])
        XCTAssertEqual(try world.run("image", "render", "example.com/a", world.scratch + "/out").status, 0)
        let clean = try world.run("image", "verify")
        XCTAssertEqual(clean.status, 0, clean.stdoutText)
        XCTAssertTrue(clean.stdoutText.contains("\(id) (example.com/a:1.0.0): ok"))
        XCTAssertTrue(clean.stdoutText.contains(": ok\n"))

        let trees = try FileSystem.list(world.dataDirectory + "/tree").filter { $0.hasPrefix("deps-") }
        XCTAssertEqual(trees.count, 1)
        let tool = world.dataDirectory + "/tree/" + trees[0] + "/rootfs/bin/tool"
        try "changed!".write(toFile: tool, atomically: false, encoding: .utf8)
        let dirty = try world.run("image", "verify")
        XCTAssertEqual(dirty.status, 254)
        XCTAssertTrue(dirty.stdoutText.contains("bin/tool: contents changed"), dirty.stdoutText)
        XCTAssertTrue(dirty.stdoutText.contains("repaired"))
        XCTAssertEqual(try String(contentsOfFile: tool, encoding: .utf8), "original")
        XCTAssertEqual(try world.run("image", "verify").status, 0, "clean after the repair")

        let blob = world.dataDirectory + "/cas/blob/sha512/" + id.dropFirst(7)
        var bytes = try FileSystem.read(blob)
        bytes[600] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: blob))
        let corrupt = try world.run("image", "verify")
        XCTAssertEqual(corrupt.status, 254)
        XCTAssertTrue(corrupt.stdoutText.contains("stored image is corrupt"), corrupt.stdoutText)
    }

    func testGCRemovesUnusedImagesTreesAndDebris() throws {
        try fetch("example.com/a", entries: [.file("f", "a")])
        XCTAssertEqual(try world.run("image", "render", "example.com/a", world.scratch + "/out").status, 0)
        // Debris of a crashed import: an unlocked temporary blob.
        try "partial".write(toFile: world.dataDirectory + "/tmp/.blob.tmp-dead", atomically: false, encoding: .utf8)
        let keep = try world.run("image", "gc")
        XCTAssertEqual(keep.status, 0, keep.stderrText)
        XCTAssertTrue(keep.stdoutText.contains("removed tree deps-sha512-"), keep.stdoutText)
        XCTAssertTrue(keep.stdoutText.contains("removed tmp/.blob.tmp-dead"))
        XCTAssertEqual(try world.run("image", "list", "--no-legend").stdoutText.split(separator: "\n").count, 1, "used recently: kept")
        let all = try world.run("image", "gc", "--grace-period=0s")
        XCTAssertTrue(all.stdoutText.contains("removed image sha512-"), all.stdoutText)
        XCTAssertEqual(try world.run("image", "list", "--no-legend").stdoutText, "")
        world.assertFailure(try world.run("image", "gc", "--grace-period=soon"), contains: "invalid duration")
    }

    func testImageGroupHelpAndUnknownSubcommand() throws {
        let help = try world.run("image")
        XCTAssertEqual(help.status, 0)
        for sub in ["list", "rm", "export", "extract", "render", "cat-manifest", "gc", "verify"] {
            XCTAssertTrue(help.stdoutText.contains("image \(sub)"), sub)
        }
        world.assertFailure(try world.run("image", "frob"), contains: "unknown subcommand \"frob\"")
    }
}
