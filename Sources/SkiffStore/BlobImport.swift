// A blob being written: a temporary file under tmp/, hashed as it is written.
#if canImport(Glibc)
import Glibc
#endif
import SkiffDigest
import SkiffImage
import SkiffSystem

/// The uncompressed tar of an image on its way into the store. Written to a temporary file that
/// this process holds an flock on, so `image gc` can tell a live import (locked) from the debris
/// of a dead one (unlocked). Hashed with SHA-512 as it is written: the digest is the image ID.
public final class BlobImport {
    /// The temporary file.
    public let path: String
    /// Bytes written so far.
    public private(set) var size: Int64 = 0
    private let file: FileDescriptor
    private let digest = Digest(.sha512)
    private var id: ImageID?
    private var done = false

    init(directory: String) throws {
        path = FileSystem.temporaryName(for: directory + "/blob")
        file = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_EXCL, mode: 0o640)
        try check("flock \(quote(path))") { flock(file.raw, LOCK_EX | LOCK_NB) }
    }

    deinit { if !done { unlink(path) } }

    /// Appends a chunk of the uncompressed tar.
    public func write(_ chunk: UnsafeRawBufferPointer) throws {
        digest.update(chunk)
        try file.write(chunk)
        size += Int64(chunk.count)
    }

    /// Ends the blob: flushes it to disk and returns its ID (the SHA-512 of everything written).
    @discardableResult
    public func finish() throws -> ImageID {
        if let id { return id }
        try file.sync()
        let finished = ImageID(sha512: digest.finalize())
        id = finished
        return finished
    }

    /// Drops the blob.
    public func discard() {
        guard !done else { return }
        done = true
        unlink(path)
        file.close()
    }

    /// Renames the finished blob to `target`.
    func move(to target: String) throws {
        try FileSystem.rename(path, to: target)
        done = true
        file.close()
    }
}
