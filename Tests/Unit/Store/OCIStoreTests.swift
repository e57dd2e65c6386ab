// OCI images in the store: blobs verified as they are written (and resumed), layers shared and
// removed only when unused, trees rendered with the diff_id check, verified with whiteouts.
#if canImport(Glibc)
import Glibc
#endif
import SkiffArchive
import SkiffImage
import SkiffSystem
import SkiffTestSupport
import XCTest

@testable import SkiffStore

final class OCIStoreTests: XCTestCase {
    var scratch: ScratchDirectory!
    var store: ImageStore!
    var content: OCITestContent!

    override func setUpWithError() throws {
        scratch = try ScratchDirectory("ocistore")
        store = try ImageStore(root: scratch.path + "/data")
        try FileSystem.createDirectory(scratch.path + "/work")
        content = OCITestContent(scratch: scratch.path + "/work")
    }

    override func tearDown() {
        scratch?.remove()
        scratch = nil
    }

    private func descriptor(_ test: TestDescriptor) throws -> OCIDescriptor {
        OCIDescriptor(mediaType: test.mediaType, digest: try OCIDigest(parsing: test.digest), size: Int64(test.size))
    }

    /// Stores every blob of `manifest` and commits it as `name`.
    @discardableResult
    private func commit(_ manifest: TestDescriptor, name: String) throws -> ImageID {
        let bytes = try XCTUnwrap(content.blobs[manifest.digest])
        guard case .manifest(let parsed) = try OCIDocument.parse(bytes, declared: manifest.mediaType) else { throw TestSupportError("index") }
        for blob in [parsed.config] + parsed.layers {
            try store.storeBlob(try XCTUnwrap(content.blobs[blob.digest.value]), blob, subject: "test")
        }
        try store.storeBlob(bytes, try descriptor(manifest), subject: "test")
        let config = try OCIImageConfig.parse(try XCTUnwrap(content.blobs[parsed.config.digest.value]))
        let appc = try OCIAppMapping.manifest(name: name, tag: "1", config: config)
        return try ImageID(validating: try store.commitOCI(manifest: bytes, appc: appc, name: name, labels: [:], size: 1, source: name).record.id)
    }

    private func blobNames() throws -> Set<String> { Set(try FileSystem.list(store.layout.blobs + "/sha256")) }

    func testBlobsAreVerifiedAsTheyAreWrittenAndResumed() throws {
        let bytes = Array(repeating: UInt8(7), count: 10_000)
        let test = content.add(bytes, mediaType: OCITestContent.layerType)
        let expected = try descriptor(test)
        let long = try store.beginBlob(expected, subject: "img")
        XCTAssertThrowsError(try (bytes + [1]).withUnsafeBytes { try long.write($0) }) { error in
            XCTAssertEqual("\(error)", "img: blob \(test.digest) is larger than the 10000 bytes its descriptor gives")
        }
        let partial = try store.resumableBlob(expected, subject: "img")
        try bytes.prefix(4000).withUnsafeBytes { try partial.write(UnsafeRawBufferPointer(rebasing: $0[...])) }
        let path = partial.path
        partial.discard()
        XCTAssertFalse(FileSystem.exists(path), "discard drops it")
        let first = try store.resumableBlob(expected, subject: "img")
        try bytes.prefix(4000).withUnsafeBytes { try first.write(UnsafeRawBufferPointer(rebasing: $0[...])) }
        _ = consume first  // the transfer "failed": the partial file stays
        let resumed = try store.resumableBlob(expected, subject: "img")
        XCTAssertEqual(resumed.size, 4000, "what arrived before")
        try bytes.dropFirst(4000).withUnsafeBytes { try resumed.write(UnsafeRawBufferPointer(rebasing: $0[...])) }
        try store.finish(resumed)
        XCTAssertTrue(store.hasBlob(expected))
        var corrupt = bytes
        corrupt[5] = 8
        let other = try store.beginBlob(try descriptor(content.add(Array(repeating: 9, count: 10_000), mediaType: "x")), subject: "img")
        try corrupt.withUnsafeBytes { try other.write($0) }
        XCTAssertThrowsError(try store.finish(other)) { error in XCTAssertTrue("\(error)".contains("(corrupt or tampered)"), "\(error)") }
    }

    func testLayersAreSharedAndRemovedWithTheirLastImage() throws {
        let base = try content.layer([.file("base", "b")])
        let one = try content.layer([.file("one", "1")])
        let two = try content.layer([.file("two", "2")])
        let first = try content.manifest(config: try content.config(diffIDs: [base.diffID, one.diffID]), layers: [base.layer, one.layer])
        let second = try content.manifest(config: try content.config(diffIDs: [base.diffID, two.diffID], run: ["Cmd": ["x"]]), layers: [base.layer, two.layer])
        let idOne = try commit(first, name: "example/one")
        let idTwo = try commit(second, name: "example/two")
        XCTAssertEqual(try blobNames().count, 7)
        try store.remove(idOne)
        XCTAssertEqual(try blobNames(), [second.hex, base.layer.hex, two.layer.hex, try XCTUnwrap(try store.ociImage(idTwo).manifest.config.digest.hex)])
        // A blob nobody lists (an interrupted fetch) goes with gc; a used one stays.
        content.add(Array("orphan".utf8), mediaType: "x")
        try store.storeBlob(Array("orphan".utf8), try descriptor(content.add(Array("orphan".utf8), mediaType: "x")), subject: "t")
        let report = try StoreGC(trees: TreeStore(images: store)).collect(gracePeriod: 1 << 40)
        XCTAssertEqual(report.debris, ["blob " + OCITestContent.digest(Array("orphan".utf8))])
        XCTAssertEqual(try blobNames().count, 4)
        try store.remove(idTwo)
        XCTAssertEqual(try blobNames(), [])
    }

    func testTreesCheckDiffIDsAndVerifyWithWhiteouts() throws {
        let lower = try content.layer([.directory("etc/"), .file("etc/a", "a"), .file("etc/b", "b"), .directory("d/"), .file("d/x", "x")])
        let upper = try content.layer([.whiteout("etc/b"), .directory("d/"), .opaque("d"), .file("d/y", "y")])
        let good = try content.manifest(config: try content.config(diffIDs: [lower.diffID, upper.diffID]), layers: [lower.layer, upper.layer])
        let id = try commit(good, name: "example/good")
        let trees = TreeStore(images: store)
        let tree = try trees.render([RenderStep(image: id, whitelist: nil)])
        XCTAssertEqual(try FileSystem.list(tree.rootfs + "/etc"), ["a"])
        XCTAssertEqual(try FileSystem.list(tree.rootfs + "/d"), ["y"])
        let verifier = TreeVerifier(images: store)
        XCTAssertEqual(try verifier.verify(rootfs: tree.rootfs, steps: [RenderStep(image: id, whitelist: nil)]).lines, [])
        try FileSystem.writeAtomically(tree.rootfs + "/etc/a", Array("changed".utf8))
        try FileSystem.writeAtomically(tree.rootfs + "/d/x", Array("back".utf8))
        XCTAssertEqual(
            try verifier.verify(rootfs: tree.rootfs, steps: [RenderStep(image: id, whitelist: nil)]).lines,
            ["d/x: not in the image", "etc/a: size changed"])

        let wrongID = "sha256:" + String(repeating: "1", count: 64)
        let bad = try content.manifest(config: try content.config(diffIDs: [lower.diffID, wrongID], run: ["Cmd": ["bad"]]), layers: [lower.layer, upper.layer])
        let badID = try commit(bad, name: "example/bad")
        XCTAssertThrowsError(try trees.render([RenderStep(image: badID, whitelist: nil)])) { error in
            XCTAssertTrue("\(error)".hasSuffix("is not the config's diff_id \(wrongID)"), "\(error)")
        }
        XCTAssertEqual(try trees.list().filter { trees.isRendered($0) }.count, 1, "no tree for the bad image")
    }
}
