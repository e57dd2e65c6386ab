// A download into the store's partial/ directory, resumable across runs.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import SkiffDigest
import SkiffFetch
import SkiffStore

/// The body of one URL, written to `cas/partial/<sha256 of the URL>`. The file is locked while a
/// process downloads into it, so concurrent fetches of one URL take turns; if a fetch dies, the
/// next one resumes from what is there (HTTP Range), and restarts if the server ignores the range.
final class Download: DownloadSink {
    let url: URL
    let path: String
    private let file: FileDescriptor
    private let lock: FileLock
    private var written: Int64 = 0

    init(url: URL, store: ImageStore) throws {
        self.url = url
        path = store.layout.partials + "/" + Digest.hash(.sha256, Array(url.absoluteString.utf8)).hexString
        lock = try FileLock.lock(path + ".lock")
        file = try FileDescriptor.open(path, O_RDWR | O_CREAT, mode: 0o640)
    }

    /// GETs the URL into the partial file, resuming when there is something to resume (the
    /// client calls `restart` if the server ignores the range and sends everything).
    func run(_ client: HTTPClient, ifNoneMatch: String?, progress: ProgressBar?) throws -> HTTPResponse {
        let existing = Int64(try file.stat().st_size)
        let resumeFrom = ifNoneMatch == nil ? existing : 0
        try restart(at: resumeFrom)
        let response = try client.get(url, to: self, ifNoneMatch: ifNoneMatch, resumeFrom: resumeFrom, progress: progress)
        try file.sync()
        return response
    }

    func restart() throws { try restart(at: 0) }

    func write(_ chunk: UnsafeRawBufferPointer) throws {
        try file.write(chunk)
        written += Int64(chunk.count)
    }

    private func restart(at offset: Int64) throws {
        try check("truncate \(quote(path))") { ftruncate(file.raw, off_t(offset)) }
        try check("seek \(quote(path))") { lseek(file.raw, off_t(offset), SEEK_SET) }
        written = offset
    }

    /// Deletes the partial file once its content is in the store. The lock file stays: removing
    /// it while another fetch waits on it would let a third one lock a new file alongside.
    func remove() {
        unlink(path)
        lock.unlock()
    }
}
