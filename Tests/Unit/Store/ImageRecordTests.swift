// Image and remote records read with the store's own parser, last use as the record's mtime, and
// the per-process manifest cache.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffSystem
import SkiffTestSupport
import XCTest

@testable import SkiffStore

final class ImageRecordTests: XCTestCase {
    var scratch: ScratchDirectory!
    var store: ImageStore!
    let id = try! ImageID(validating: "sha512-" + String(repeating: "ab", count: 64))

    override func setUpWithError() throws {
        scratch = try ScratchDirectory("records")
        store = try ImageStore(root: scratch.path + "/data")
    }

    override func tearDown() {
        scratch?.remove()
        scratch = nil
    }

    private func record(lastUsed: Int64, signer: String? = "0123456789abcdef") -> ImageRecord {
        ImageRecord(
            id: id.value, name: "example.com/app", labels: ["version": "1.0", "os": "linux"], importTime: 1_000,
            lastUsed: lastUsed, size: 4096, source: "https://example.com/app.aci", signer: signer)
    }

    /// Sets a file's mtime (and atime) to `seconds` after the epoch.
    private func setModified(_ path: String, _ seconds: Int) throws {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        try check("set the times of \(path)") { utimensat(AT_FDCWD, path, &times, 0) }
    }

    func testRecordsReadBackWhatWasWritten() throws {
        for written in [record(lastUsed: 2_000), record(lastUsed: 2_000, signer: nil)] {
            try store.writeRecord(written)
            try setModified(store.layout.imageRecord(id.value), 1)  // older than lastUsed: the field counts
            XCTAssertEqual(try store.record(id), written)
        }
        let remote = RemoteRecord(url: "https://example.com/app.aci", imageID: id.value, etag: "\"v1\"", maxAge: 60, downloadTime: 5)
        try store.saveRemote(remote)
        XCTAssertEqual(try store.remote(for: remote.url), remote)
        let bare = RemoteRecord(url: "file:///a.aci", imageID: id.value, etag: nil, maxAge: nil, downloadTime: 6)
        try store.saveRemote(bare)
        XCTAssertEqual(try store.remote(for: bare.url), bare)
        XCTAssertNil(try store.remote(for: "https://example.com/other.aci"))
    }

    func testTouchRecordsTheUseAsTheRecordsModificationTime() throws {
        try store.writeRecord(record(lastUsed: 2_000))
        let path = store.layout.imageRecord(id.value)
        try setModified(path, 1_500)
        XCTAssertEqual(try store.record(id)?.lastUsed, 2_000)
        let before = Int64(time(nil))
        try store.touch(id)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(try store.record(id)).lastUsed, before)
        XCTAssertTrue(String(decoding: try FileSystem.read(path), as: UTF8.self).contains("2000"), "the record itself is unchanged")
        let missing = try ImageID(validating: "sha512-" + String(repeating: "cd", count: 64))
        XCTAssertNoThrow(try store.touch(missing), "an image removed meanwhile: nothing to record")
        XCTAssertFalse(FileSystem.exists(store.layout.imageRecord(missing.value)))
    }

    func testAMalformedRecordIsAnErrorNamingTheFileAndTheMember() throws {
        let path = store.layout.imageRecord(id.value)
        let text = #"{"id":"\#(id.value)","kind":"aci","name":"a","labels":{},"importTime":1,"lastUsed":1,"size":"big","source":"s"}"#
        try FileSystem.writeAtomically(path, Array(text.utf8))
        XCTAssertThrowsError(try store.record(id)) { error in
            XCTAssertEqual("\(error)", "read \(quote(path)): not a valid store record (size: not an integer)")
        }
        try FileSystem.writeAtomically(path, Array("[1, 2]".utf8))
        XCTAssertThrowsError(try store.record(id)) { error in
            XCTAssertEqual("\(error)", "read \(quote(path)): not a valid store record (not a JSON object)")
        }
    }

    func testManifestsAreReadOncePerProcessAndForgottenWithTheImage() throws {
        let manifest = #"{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/app"}"#
        try store.writeRecord(record(lastUsed: 1))
        try FileSystem.writeAtomically(store.layout.manifest(id.value), Array(manifest.utf8))
        XCTAssertEqual(try store.manifest(id).name.value, "example.com/app")
        // An image's manifest never changes under its ID: a second read is the first one's.
        try FileSystem.writeAtomically(store.layout.manifest(id.value), Array("not json".utf8))
        XCTAssertEqual(try store.manifest(id).name.value, "example.com/app")
        XCTAssertEqual(try store.manifestBytes(id), Array(manifest.utf8))
        try store.remove(id)
        XCTAssertThrowsError(try store.manifest(id), "removed: read from disk again, and gone")
    }
}
