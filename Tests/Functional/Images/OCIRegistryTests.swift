// skiff against the real thing: Debian's docker-registry on 127.0.0.1, images pushed with the
// real skopeo from OCI layouts the tests build; fetch by tag and digest, indexes, shared layers,
// pull policies, and the image commands on what was fetched.
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class OCIRegistryTests: XCTestCase {
    var world: SkiffHarness!
    var registry: TestRegistry!
    var content: OCITestContent!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SkiffHarness.binary), "no skiff binary: build first")
        world = try SkiffHarness()
        registry = try TestRegistry()
        content = OCITestContent(scratch: world.scratch)
    }

    override func tearDown() {
        registry?.stop()
        registry = nil
        world = nil
    }

    /// Writes `top` into a layout and pushes it as `repository:tag`.
    private func push(_ top: TestDescriptor, _ repository: String, _ tag: String, all: Bool = false, format: String? = nil) throws {
        let dir = world.scratch + "/push-\(UUID().uuidString)"
        try content.writeLayout(to: dir, refs: [(top, "it")])
        try registry.push("oci:\(dir):it", to: repository, tag: tag, all: all, format: format)
    }

    private func fetch(_ reference: String, _ flags: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try world.run(["--insecure-options=http,image", "fetch", "--full"] + flags + [reference])
        XCTAssertEqual(result.status, 0, result.stderrText + registry.logText, file: file, line: line)
        return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testByTagNeedsTheInsecureOptionByDigestIsVerifiedInstead() throws {
        let manifest = try content.image([.file("hello", "world")], run: ["Cmd": ["/hello"]])
        try push(manifest, "app", "1")
        let before = try world.storeSnapshot()
        let unsigned = try world.run("--insecure-options=http", "fetch", "docker://\(registry.host)/app:1")
        world.assertFailure(unsigned, contains: "use --insecure-options=image, or name the image by digest")
        let plain = try world.run("fetch", "docker://\(registry.host)/app@\(manifest.digest)")
        world.assertFailure(plain, contains: "https://\(registry.host)/v2/")
        XCTAssertEqual(try world.storeSnapshot(), before, "refusals leave the store as it was")
        let pinned = try world.run("--insecure-options=http", "fetch", "docker://\(registry.host)/app@\(manifest.digest)")
        XCTAssertEqual(pinned.status, 0, pinned.stderrText)
        XCTAssertEqual(pinned.stdoutText, String(manifest.digest.prefix(7 + 32)) + "\n", "fetch prints 32 hex digits")
        XCTAssertEqual(try fetch("docker://\(registry.host)/app:1"), manifest.digest, "the tag is the same image")
    }

    func testImageCommandsOnFetchedImagesWithSharedLayers() throws {
        let base = try content.layer([.directory("etc/"), .file("etc/os-release", "ID=test\n"), .file("etc/motd", "hi\n")])
        let one = try content.layer([.file("one", "1"), .whiteout("etc/motd")])
        let two = try content.layer([.file("two", "2")])
        let first = try content.manifest(config: try content.config(diffIDs: [base.diffID, one.diffID], run: ["Cmd": ["/one"]]), layers: [base.layer, one.layer])
        let second = try content.manifest(config: try content.config(diffIDs: [base.diffID, two.diffID], run: ["Cmd": ["/two"]]), layers: [base.layer, two.layer])
        try push(first, "team/one", "v1")
        try push(second, "team/two", "v1")
        let idOne = try fetch("docker://\(registry.host)/team/one:v1")
        let idTwo = try fetch("docker://\(registry.host)/team/two:v1")
        XCTAssertEqual([idOne, idTwo], [first.digest, second.digest])
        let blobs = world.dataDirectory + "/cas/blob/sha256"
        XCTAssertEqual(try FileSystem.list(blobs).count, 2 + 2 + 3, "two manifests, two configs, the base layer once")

        let list = try world.run("image", "list", "--no-legend", "--fields=name").stdoutText
        XCTAssertEqual(Set(list.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }),
                       ["\(registry.host)/team/one:v1", "\(registry.host)/team/two:v1"])
        let manifest = try world.run("image", "cat-manifest", "--pretty-print=false", "docker://\(registry.host)/team/one:v1")
        XCTAssertEqual(Array(manifest.stdout.dropLast()), content.blobs[first.digest], "the manifest byte for byte")
        let out = world.scratch + "/one"
        XCTAssertEqual(try world.run("image", "render", "--rootfs-only", idOne, out).status, 0)
        XCTAssertEqual(try FileSystem.list(out).sorted(), ["etc", "one"])
        XCTAssertEqual(try FileSystem.list(out + "/etc"), ["os-release"], "the whiteout removed motd")
        let verify = try world.run("image", "verify")
        XCTAssertEqual(verify.status, 0, verify.stdoutText)

        XCTAssertEqual(try world.run("image", "rm", "docker://\(registry.host)/team/one:v1").status, 0)
        XCTAssertEqual(try FileSystem.list(blobs).count, 1 + 1 + 2, "the shared base stays for the other image")
        XCTAssertTrue(FileSystem.exists(blobs + "/" + base.layer.hex))
        XCTAssertEqual(try world.run("image", "rm", idTwo).status, 0)
        XCTAssertEqual(try FileSystem.list(blobs), [])
    }

    func testAnIndexResolvesToThisMachinesImage() throws {
        var native = try content.image([.file("arch", "native")])
        native.platform = "linux/\(OCITestContent.hostArchitecture)"
        let (layer, diffID) = try content.layer([.file("arch", "other")])
        let otherArch = OCITestContent.hostArchitecture == "amd64" ? "arm64" : "amd64"
        var other = try content.manifest(config: try content.config(diffIDs: [diffID], extra: ["architecture": otherArch]), layers: [layer])
        other.platform = "linux/\(otherArch)"
        let index = try content.index([other, native])
        try push(index, "multi", "latest", all: true)
        XCTAssertEqual(try fetch("docker://\(registry.host)/multi"), native.digest, "docker://NAME means :latest")
        let byIndexDigest = try world.run("--insecure-options=http", "fetch", "--full", "docker://\(registry.host)/multi@\(index.digest)")
        XCTAssertEqual(byIndexDigest.stdoutText, native.digest + "\n", byIndexDigest.stderrText)
    }

    func testDockerSchema2ManifestsAndManifestLists() throws {
        var native = try content.image([.file("kind", "native")])
        native.platform = "linux/\(OCITestContent.hostArchitecture)"
        try push(native, "docker/single", "1", format: "v2s2")
        XCTAssertEqual(try registry.manifestType("docker/single", "1"), "application/vnd.docker.distribution.manifest.v2+json")
        let (layer, diffID) = try content.layer([.file("kind", "other")])
        let otherArch = OCITestContent.hostArchitecture == "amd64" ? "arm64" : "amd64"
        var other = try content.manifest(config: try content.config(diffIDs: [diffID], extra: ["architecture": otherArch]), layers: [layer])
        other.platform = "linux/\(otherArch)"
        try push(try content.index([other, native]), "docker/multi", "1", all: true, format: "v2s2")
        XCTAssertEqual(try registry.manifestType("docker/multi", "1"), "application/vnd.docker.distribution.manifest.list.v2+json")

        for repository in ["docker/single", "docker/multi"] {
            let id = try fetch("docker://\(registry.host)/\(repository):1")
            let manifest = try world.run("image", "cat-manifest", "--pretty-print=false", id)
            XCTAssertEqual(manifest.status, 0, manifest.stderrText)
            let bytes = Array(manifest.stdout.dropLast())
            XCTAssertEqual(OCITestContent.digest(bytes), id, "the image ID is the digest of the schema 2 manifest")
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            XCTAssertEqual(object["mediaType"] as? String, "application/vnd.docker.distribution.manifest.v2+json", repository)
            let out = world.scratch + "/render-" + repository.replacingOccurrences(of: "/", with: "-")
            XCTAssertEqual(try world.run("image", "render", "--rootfs-only", id, out).status, 0)
            XCTAssertEqual(try FileSystem.read(out + "/kind"), Array("native".utf8), "\(repository): this machine's image")
        }
    }

    func testPullPoliciesAndAMovingTag() throws {
        let v1 = try content.image([.file("v", "1")])
        let v2 = try content.image([.file("v", "2")])
        try push(v1, "moving", "tag")
        XCTAssertEqual(try fetch("docker://\(registry.host)/moving:tag"), v1.digest)
        try push(v2, "moving", "tag")
        XCTAssertEqual(try fetch("docker://\(registry.host)/moving:tag", ["--pull-policy=new"]), v1.digest, "new: the store")
        XCTAssertEqual(try fetch("docker://\(registry.host)/moving:tag"), v2.digest, "update: the registry")
        XCTAssertEqual(try fetch("docker://\(registry.host)/moving:tag", ["--pull-policy=new"]), v2.digest, "the tag follows")
        registry.stop()
        XCTAssertEqual(try fetch("docker://\(registry.host)/moving:tag", ["--pull-policy=never"]), v2.digest)
        let down = try world.run("--insecure-options=http,image", "fetch", "docker://\(registry.host)/moving:tag")
        world.assertFailure(down, contains: "docker://\(registry.host)/moving:tag: fetch http://\(registry.host)/v2/")
    }

    func testADebianImageRendersToTheTreeItWasMadeFrom() throws {
        let (layout, digest) = try DebianRootfs.layout()
        let rootfs = try DebianRootfs.rootfs()
        try registry.push("oci:\(layout):debian:12", to: "library/debian", tag: "12")
        XCTAssertEqual(try fetch("docker://\(registry.host)/library/debian:12"), digest)
        let out = world.scratch + "/debian"
        let render = try world.run("image", "render", "--rootfs-only", digest, out)
        XCTAssertEqual(render.status, 0, render.stderrText)
        let (differences, entries) = try TreeComparison.differences(out, expected: rootfs, metadata: true)
        XCTAssertGreaterThan(entries, 5000, "a whole distribution")
        XCTAssertEqual(differences, [], "the rendered tree equals the debootstrap tree, mtimes and xattrs included")
        let verify = try world.run("image", "verify", digest)
        XCTAssertEqual(verify.status, 0, verify.stdoutText)
    }
}
