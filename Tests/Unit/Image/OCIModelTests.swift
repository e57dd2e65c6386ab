// The OCI model: digests, descriptors, manifests, indexes and configs parsed strictly, with the
// media type rules; Docker references; image IDs keyed by manifest digest.
import SkiffDigest
import SkiffSystem
import XCTest

@testable import SkiffImage

final class OCIModelTests: XCTestCase {
    private let hex = String(repeating: "ab", count: 32)
    private var digest: String { "sha256:" + hex }

    private func manifestJSON(config: String = "application/vnd.oci.image.config.v1+json",
                              layer: String = "application/vnd.oci.image.layer.v1.tar+gzip", mediaType: String? = nil) -> [UInt8] {
        let type = mediaType.map { #""mediaType":"\#($0)","# } ?? ""
        return Array(#"{"schemaVersion":2,\#(type)"config":{"mediaType":"\#(config)","digest":"\#(digest)","size":7},"layers":[{"mediaType":"\#(layer)","digest":"\#(digest)","size":42}]}"#.utf8)
    }

    private func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch { return "\(error)" }
    }

    func testDigests() throws {
        let parsed = try OCIDigest(parsing: digest)
        XCTAssertEqual(parsed.algorithm, .sha256)
        XCTAssertEqual(parsed.hex, hex)
        XCTAssertEqual(OCIDigest.of(Array("abc".utf8)).value, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertTrue(message { _ = try OCIDigest(parsing: "md5:abc") }.contains("unsupported algorithm \"md5\""))
        XCTAssertTrue(message { _ = try OCIDigest(parsing: "sha256:abc") }.contains("want 64 hex digits after sha256:, got 3"))
        XCTAssertTrue(message { _ = try OCIDigest(parsing: "sha256:" + hex.uppercased()) }.contains("not lowercase hex"))
        XCTAssertTrue(message { _ = try OCIDigest(parsing: hex) }.contains("not of the form algorithm:hex"))
    }

    func testManifestsAndTheirMediaTypes() throws {
        guard case .manifest(let manifest) = try OCIDocument.parse(manifestJSON(), declared: "application/vnd.oci.image.manifest.v1+json; charset=utf-8")
        else { return XCTFail("not a manifest") }
        XCTAssertEqual(manifest.layers.map(\.size), [42])
        XCTAssertEqual(manifest.config.size, 7)
        // A generic Content-Type says nothing; the document's own type or its shape decides.
        guard case .manifest = try OCIDocument.parse(manifestJSON(), declared: "application/json") else { return XCTFail() }
        XCTAssertTrue(message { _ = try OCIDocument.parse(manifestJSON(layer: "text/plain"), declared: nil) }
            .contains("layers[0].mediaType \"text/plain\": not a layer media type"))
        XCTAssertTrue(message { _ = try OCIDocument.parse(manifestJSON(config: "application/octet-stream"), declared: nil) }
            .contains("config.mediaType \"application/octet-stream\": not an image config media type"))
        XCTAssertTrue(message {
            _ = try OCIDocument.parse(manifestJSON(mediaType: OCIMediaType.dockerManifest), declared: OCIMediaType.ociManifest)
        }.contains("does not match the declared media type"))
        XCTAssertTrue(message { _ = try OCIDocument.parse(Array(#"{"schemaVersion":1,"fsLayers":[]}"#.utf8), declared: nil) }
            .contains("Docker schema 1 manifests are not supported"))
        XCTAssertTrue(message { _ = try OCIDocument.parse(manifestJSON(), declared: OCIMediaType.ociConfig) }
            .contains("not an image manifest or index media type"))
        let negative = Array(#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(digest)","size":-1},"layers":[]}"#.utf8)
        XCTAssertTrue(message { _ = try OCIDocument.parse(negative, declared: nil) }.contains("config.size -1"))
    }

    func testAnIndexChoosesThePlatform() throws {
        func entry(_ platform: String?) -> String {
            let parts = platform?.split(separator: "/").map(String.init) ?? []
            let platformJSON = parts.isEmpty ? "" : #","platform":{"os":"\#(parts[0])","architecture":"\#(parts[1])"\#(parts.count > 2 ? #","variant":"\#(parts[2])""# : "")}"#
            return #"{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(digest)","size":\#(platform?.count ?? 1)\#(platformJSON)}"#
        }
        let json = #"{"schemaVersion":2,"manifests":[\#(entry("linux/arm/v7")),\#(entry(nil)),\#(entry("linux/arm64/v8")),\#(entry("linux/amd64"))]}"#
        guard case .index(let index) = try OCIDocument.parse(Array(json.utf8), declared: nil) else { return XCTFail("not an index") }
        XCTAssertEqual(try index.manifest(for: OCIPlatform(os: "linux", architecture: "amd64")).size, Int64("linux/amd64".count))
        XCTAssertEqual(try index.manifest(for: OCIPlatform(os: "linux", architecture: "arm64")).size, Int64("linux/arm64/v8".count), "any variant")
        XCTAssertEqual(
            message { _ = try index.manifest(for: OCIPlatform(os: "linux", architecture: "s390x")) },
            "no linux/s390x image in the index (it has: linux/arm/v7, linux/arm64/v8, linux/amd64)")
    }

    func testConfigs() throws {
        let json = #"""
            {"architecture":"amd64","os":"linux","config":{"User":"app:staff","Env":["A=1","PATH=/bin"],"Entrypoint":["/bin/sh","-c"],
             "Cmd":null,"WorkingDir":"/srv","ExposedPorts":{"80/tcp":{},"53/udp":{}},"Volumes":{"/data":{}},"Labels":{"a.b":"c"},
             "StopSignal":"SIGQUIT"},"rootfs":{"type":"layers","diff_ids":["\#(digest)"]},"history":[]}
            """#
        let config = try OCIImageConfig.parse(Array(json.utf8))
        XCTAssertEqual(config.platform.description, "linux/amd64")
        XCTAssertEqual(config.user, "app:staff")
        XCTAssertEqual(config.entrypoint, ["/bin/sh", "-c"])
        XCTAssertEqual(config.command, [], "null is absent")
        XCTAssertEqual(config.exposedPorts, ["53/udp", "80/tcp"])
        XCTAssertEqual(config.volumes, ["/data"])
        XCTAssertEqual(config.stopSignal, "SIGQUIT")
        XCTAssertEqual(config.diffIDs.map(\.value), [digest])
        XCTAssertTrue(message { _ = try OCIImageConfig.parse(Array(#"{"architecture":"amd64","os":"linux"}"#.utf8)) }.contains("rootfs: required"))
        let wrong = #"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["md5:1"]}}"#
        XCTAssertTrue(message { _ = try OCIImageConfig.parse(Array(wrong.utf8)) }.contains("rootfs.diff_ids[0] \"md5:1\""))
    }

    func testDockerReferences() throws {
        let cases: [(String, String, String?, String)] = [
            ("busybox", "docker.io/library/busybox", "latest", "registry-1.docker.io"),
            ("team/app:1.2", "docker.io/team/app", "1.2", "registry-1.docker.io"),
            ("127.0.0.1:5000/debian:12", "127.0.0.1:5000/debian", "12", "127.0.0.1:5000"),
            ("localhost/a/b/c", "localhost/a/b/c", "latest", "localhost"),
            ("quay.io/x_y/z-z__w.v@\(digest)", "quay.io/x_y/z-z__w.v", nil, "quay.io"),
        ]
        for (text, name, tag, host) in cases {
            let reference = try DockerReference(parsing: text)
            XCTAssertEqual(reference.name, name, text)
            XCTAssertEqual(reference.tag, tag, text)
            XCTAssertEqual(reference.apiHost, host, text)
        }
        XCTAssertEqual(try DockerReference(parsing: "app:1@\(digest)").manifestReference, digest, "the digest wins")
        for bad in ["Upper", "a//b", "a..b", "a___b", "-a", "a:", "a:-bad", "a@sha256:12"] {
            XCTAssertThrowsError(try DockerReference(parsing: bad), bad)
        }
    }

    func testImageIDsOfOCIImages() throws {
        let id = try ImageID(validating: digest)
        XCTAssertTrue(id.isOCI)
        XCTAssertEqual(id.hex, hex)
        XCTAssertEqual(id.short, "sha256:" + hex.prefix(32))
        XCTAssertEqual(id.shorter, "sha256:" + hex.prefix(12))
        XCTAssertEqual(ImageID(ociManifest: Digest.hash(.sha256, Array("abc".utf8))).value, OCIDigest.of(Array("abc".utf8)).value)
        XCTAssertThrowsError(try ImageID(validating: "sha256:abc"))
        XCTAssertEqual(ImageIDPrefix("SHA256:AB")?.value, nil, "the algorithm is lowercase")
        XCTAssertEqual(ImageIDPrefix("sha256:ABAB")?.value, "sha256:abab")
        XCTAssertNil(ImageIDPrefix("sha256:" + hex + "ab"), "longer than a digest")
        XCTAssertTrue(try XCTUnwrap(ImageIDPrefix(digest)).isComplete)
    }
}
