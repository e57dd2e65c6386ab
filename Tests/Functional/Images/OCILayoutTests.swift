// OCI layouts, OCI archives and docker-save archives on disk: fetched, rendered with whiteouts,
// hard links across layers and diff_id checks; hostile layers refused at fetch, store unchanged.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class OCILayoutTests: XCTestCase {
    var world: SkiffHarness!
    var content: OCITestContent!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SkiffHarness.binary), "no skiff binary: build first")
        world = try SkiffHarness()
        content = OCITestContent(scratch: world.scratch)
    }

    override func tearDown() { world = nil }

    /// A layout holding the manifest `top` as "latest"; returns the `oci:` reference.
    private func layout(_ top: TestDescriptor, name: String = "layout") throws -> String {
        try content.writeLayout(to: world.scratch + "/" + name, refs: [(top, "latest")])
        return "oci:" + world.scratch + "/" + name
    }

    private func fetch(_ reference: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try world.run("--insecure-options=image", "fetch", "--full", reference)
        XCTAssertEqual(result.status, 0, result.stderrText, file: file, line: line)
        return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func refuse(_ reference: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let before = try world.storeSnapshot()
        let result = try world.run("--insecure-options=image", "fetch", reference)
        world.assertFailure(result, contains: expected, file: file, line: line)
        XCTAssertTrue(result.stderrText.contains(reference), result.stderrText, file: file, line: line)
        XCTAssertEqual(try world.storeSnapshot(), before, "store unchanged", file: file, line: line)
    }

    func testTheThreeFileFormsOfOneImage() throws {
        let recipe: (inout TestImageRecipe) -> Void = { $0.environment["FROM"] = "oci" }
        var ids: [TestImageFormat: String] = [:]
        for format in [TestImageFormat.ociLayout, .ociArchive, .dockerArchive] {
            let image = try TestImages.busybox(probe: ["env"], format: format, recipe)
            let id = try fetch(image.reference)
            XCTAssertEqual(id, image.id, "\(format)")
            ids[format] = id
            let list = try world.run("image", "list", "--no-legend", "--fields=id,name", "--full").stdoutText
            let row = list.split(separator: "\n").first { $0.hasPrefix(id) }
            XCTAssertEqual(row?.split(separator: " ").last, "skiff.test/busybox:1.0.0", list)
            let out = world.scratch + "/render-\(format.rawValue)"
            XCTAssertEqual(try world.run("image", "render", "--rootfs-only", id, out).status, 0)
            XCTAssertEqual(try FileSystem.read(out + "/etc/passwd"), Array(TestRootfs.passwd.utf8))
            XCTAssertTrue(FileSystem.exists(out + "/probe"))
            if TestEnvironment.isRoot {
                XCTAssertEqual(try FileSystem.status(out + "/home/user").st_uid, 1000, "owners kept")
            }
        }
        XCTAssertEqual(ids[.ociLayout], ids[.ociArchive], "a layout and its tar are the same image")
    }

    func testALayoutWithSeveralImagesNeedsARefAndADigestNeedsNoInsecureOption() throws {
        let one = try content.image([.file("one", "1")])
        let two = try content.image([.file("two", "2")])
        let dir = world.scratch + "/two-images"
        try content.writeLayout(to: dir, refs: [(one, "one"), (two, "two")])
        try refuse("oci:" + dir, "the layout holds 2 images: name one as oci:PATH:REF (refs: one, two)")
        XCTAssertEqual(try fetch("oci:" + dir + ":two"), two.digest)
        world.assertFailure(try world.run("fetch", "oci:" + dir + ":one"), contains: "--insecure-options=image")
        let pinned = try world.run("fetch", "--full", "oci:" + dir + "@" + one.digest)
        XCTAssertEqual(pinned.stdoutText, one.digest + "\n", pinned.stderrText)
        try refuse("oci:" + dir + ":three", "no image named \"three\" in the layout")
    }

    func testLayersApplyInOrderWithWhiteoutsOpaqueDirectoriesAndHardLinks() throws {
        let (lower, lowerID) = try content.layer([
            .directory("etc/"), .file("etc/keep", "k"), .file("etc/gone", "g"), .directory("var/"), .directory("var/cache/"),
            .file("var/cache/old", "o"), .directory("opt/"), .file("opt/big", "shared contents"),
        ])
        let (upper, upperID) = try content.layer([
            .whiteout("etc/gone"), .directory("var/cache/"), .opaque("var/cache"), .file("var/cache/new", "n"),
            .hardlink("opt/link", to: "opt/big"), .file("etc/added", "a"),
        ])
        let config = try content.config(diffIDs: [lowerID, upperID])
        let id = try fetch(try layout(try content.manifest(config: config, layers: [lower, upper])))
        let out = world.scratch + "/out"
        XCTAssertEqual(try world.run("image", "render", "--rootfs-only", id, out).status, 0)
        XCTAssertEqual(try FileSystem.list(out + "/etc"), ["added", "keep"])
        XCTAssertEqual(try FileSystem.list(out + "/var/cache"), ["new"])
        XCTAssertEqual(try FileSystem.status(out + "/opt/link").st_ino, try FileSystem.status(out + "/opt/big").st_ino)
        let verify = try world.run("image", "verify", id)
        XCTAssertEqual(verify.status, 0, verify.stdoutText)
        XCTAssertTrue(verify.stdoutText.contains(": ok"), verify.stdoutText)
    }

    func testWhiteoutsThatTryToEscapeAreRefused() throws {
        let base = try content.layer([.directory("etc/"), .file("etc/passwd", "root")])
        for (index, hostile) in [".wh..", "etc/.wh..", "../.wh.etc"].enumerated() {
            let evil = try content.layer([.file(hostile, "")])
            let config = try content.config(diffIDs: [base.diffID, evil.diffID])
            let reference = try layout(try content.manifest(config: config, layers: [base.layer, evil.layer]), name: "escape\(index)")
            try refuse(reference, hostile.hasPrefix("..") ? "path escapes the target" : "malformed whiteout")
        }
    }

    func testALayerDeletingAFileThroughASymlinkIsRefused() throws {
        let base = try content.layer([.directory("etc/"), .file("etc/passwd", "root"), .symlink("link", to: "etc")])
        let evil = try content.layer([.whiteout("link/passwd")])
        let config = try content.config(diffIDs: [base.diffID, evil.diffID])
        let reference = try layout(try content.manifest(config: config, layers: [base.layer, evil.layer]))
        try refuse(reference, "whiteout through the symlink \"link\"")
        let opaque = try content.layer([.opaque("link")])
        let config2 = try content.config(diffIDs: [base.diffID, opaque.diffID])
        try refuse(
            try layout(try content.manifest(config: config2, layers: [base.layer, opaque.layer]), name: "opaque"),
            "whiteout through the symlink \"link\"")
    }

    func testALayerWhoseContentIsNotItsDiffIDIsRefused() throws {
        let (layer, _) = try content.layer([.file("a", "a")])
        let wrong = "sha256:" + String(repeating: "0", count: 64)
        let reference = try layout(try content.manifest(config: try content.config(diffIDs: [wrong]), layers: [layer]))
        try refuse(reference, "is not the config's diff_id \(wrong)")
    }

    func testAnImageForAnotherArchitectureIsRefused() throws {
        let (layer, diffID) = try content.layer([.file("a", "a")])
        let config = try content.config(diffIDs: [diffID], extra: ["architecture": "s390x"])
        try refuse(try layout(try content.manifest(config: config, layers: [layer])), "the image is for linux/s390x")
    }

    func testDockerSaveArchivesOldAndNew() throws {
        let base = try content.layer([.directory("etc/"), .file("etc/base", "b")], gzip: false)
        let top = try content.layer([.file("top", "t")], gzip: false)
        let config = try content.config(diffIDs: [base.diffID, top.diffID], run: ["Cmd": ["/top"]])
        let other = try content.config(diffIDs: [base.diffID], run: ["Cmd": ["/base"]])
        // Docker before 25: one directory per layer, a repeated layer as a symlink.
        let old = world.scratch + "/old"
        try FileSystem.createDirectory(old + "/l1")
        try FileSystem.createDirectory(old + "/l2")
        try FileSystem.createDirectory(old + "/l3")
        try FileSystem.writeAtomically(old + "/l1/layer.tar", try XCTUnwrap(content.blobs[base.layer.digest]))
        try FileSystem.writeAtomically(old + "/l2/layer.tar", try XCTUnwrap(content.blobs[top.layer.digest]))
        XCTAssertEqual(symlink("../l1/layer.tar", old + "/l3/layer.tar"), 0)
        try FileSystem.writeAtomically(old + "/\(config.hex).json", try XCTUnwrap(content.blobs[config.digest]))
        try FileSystem.writeAtomically(old + "/\(other.hex).json", try XCTUnwrap(content.blobs[other.digest]))
        let manifest: [[String: Any]] = [
            ["Config": "\(config.hex).json", "RepoTags": ["example.com/app:1"], "Layers": ["l1/layer.tar", "l2/layer.tar"]],
            ["Config": "\(other.hex).json", "RepoTags": ["base:latest"], "Layers": ["l3/layer.tar"]],
        ]
        try FileSystem.writeAtomically(old + "/manifest.json", try OCITestContent.json(manifest))
        let oldTar = world.scratch + "/old.tar"
        XCTAssertEqual(try Subprocess.run(["tar", "-cf", oldTar, "-C", old, "."]).status, 0)
        try refuse("docker-archive:" + oldTar, "the archive holds 2 images: name one as docker-archive:PATH:REPO:TAG (tags: example.com/app:1, base:latest)")
        let app = try fetch("docker-archive:" + oldTar + ":example.com/app:1")
        let baseImage = try fetch("docker-archive:" + oldTar + ":docker.io/library/base")
        let names = try world.run("image", "list", "--no-legend", "--fields=name").stdoutText
        XCTAssertEqual(Set(names.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }), ["example.com/app:1", "docker.io/library/base:latest"])
        let out = world.scratch + "/old-render"
        XCTAssertEqual(try world.run("image", "render", "--rootfs-only", app, out).status, 0)
        XCTAssertEqual(try FileSystem.list(out), ["etc", "top"])
        XCTAssertNotEqual(app, baseImage)
        // Docker 25 and later: the same manifest.json pointing into an OCI blobs/ tree.
        let new = world.scratch + "/new"
        try content.writeLayout(to: new, refs: [])
        let modern: [[String: Any]] = [[
            "Config": "blobs/sha256/\(config.hex)", "RepoTags": ["example.com/app:1"],
            "Layers": ["blobs/sha256/\(base.layer.hex)", "blobs/sha256/\(top.layer.hex)"],
        ]]
        try FileSystem.writeAtomically(new + "/manifest.json", try OCITestContent.json(modern))
        let newTar = world.scratch + "/new.tar"
        XCTAssertEqual(try Subprocess.run(["tar", "-cf", newTar, "-C", new, "."]).status, 0)
        XCTAssertEqual(try fetch("docker-archive:" + newTar), app, "the same layers and config: the same image")
    }

    func testVerifyRepairsTreesAndReportsCorruptBlobsAndGCRemovesEverything() throws {
        let (layer, diffID) = try content.layer([.directory("etc/"), .file("etc/conf", "original")])
        let id = try fetch(try layout(try content.manifest(config: try content.config(diffIDs: [diffID]), layers: [layer])))
        let trees = try FileSystem.list(world.dataDirectory + "/tree").filter { $0.hasPrefix("deps-") }
        XCTAssertEqual(trees.count, 1, "fetch rendered the tree")
        let tree = world.dataDirectory + "/tree/" + trees[0] + "/rootfs"
        try FileSystem.writeAtomically(tree + "/etc/conf", Array("tampered!".utf8))
        let repaired = try world.run("image", "verify", id)
        XCTAssertEqual(repaired.status, 254)
        XCTAssertTrue(repaired.stdoutText.contains("etc/conf: size changed"), repaired.stdoutText)
        XCTAssertTrue(repaired.stdoutText.contains("repaired (rendered again)"), repaired.stdoutText)
        XCTAssertEqual(try FileSystem.read(tree + "/etc/conf"), Array("original".utf8))
        XCTAssertEqual(try world.run("image", "verify", id).status, 0)
        let blob = world.dataDirectory + "/cas/blob/sha256/" + layer.hex
        var bytes = try FileSystem.read(blob)
        bytes[bytes.count / 2] ^= 1
        try FileSystem.writeAtomically(blob, bytes)
        let corrupt = try world.run("image", "verify", "--no-repair", id)
        XCTAssertEqual(corrupt.status, 254)
        XCTAssertTrue(corrupt.stdoutText.contains("blob \(layer.digest) is corrupt; remove and fetch it again"), corrupt.stdoutText)
        let gc = try world.run("image", "gc", "--grace-period=0s")
        XCTAssertEqual(gc.status, 0, gc.stderrText)
        XCTAssertEqual(try FileSystem.list(world.dataDirectory + "/cas/blob/sha256"), [])
        XCTAssertEqual(try world.run("image", "list", "--no-legend").stdoutText, "")
    }

    func testExportWritesALayoutThatFetchesBackToTheSameImage() throws {
        let image = try TestImages.busybox(probe: ["print", "exported"], format: .ociLayout)
        let id = try fetch(image.reference)
        let out = world.scratch + "/exported"
        XCTAssertEqual(try world.run("image", "export", id, out).status, 0)
        XCTAssertEqual(try FileSystem.list(out), ["blobs", "index.json", "oci-layout"])
        let index = try JSONSerialization.jsonObject(with: Data(try FileSystem.read(out + "/index.json"))) as? [String: Any]
        let entry = try XCTUnwrap((index?["manifests"] as? [[String: Any]])?.first)
        XCTAssertEqual(entry["digest"] as? String, id)
        XCTAssertEqual((entry["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"], "skiff.test/busybox:1.0.0")
        let second = try SkiffHarness()
        let back = try second.run("fetch", "--full", "oci:" + out + "@" + id)
        XCTAssertEqual(back.stdoutText, id + "\n", back.stderrText)
        world.assertFailure(try world.run("image", "export", id, out), contains: "exists (use --overwrite)")
    }
}
