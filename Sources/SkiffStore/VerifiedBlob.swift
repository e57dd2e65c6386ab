// An OCI blob on its way into the store: written to a locked file, hashed and counted as it
// arrives, refused the moment it grows past the size its descriptor gives, and renamed into
// cas/blob/<alg>/<hex> only when digest and size both match.
#if canImport(Glibc)
import Glibc
#endif
import SkiffDigest
import SkiffImage
import SkiffSystem

/// A blob being written and verified against its descriptor. The file is flock'ed while this
/// object lives, so `image gc` never takes a live one for debris, and a second fetch of the same
/// blob waits for the first. A resumable blob (under `cas/partial/`) keeps what arrived when the
/// transfer fails, and hashes it again before continuing.
public final class VerifiedBlob {
    /// The file being written.
    public let path: String
    /// What the content must be.
    public let expected: OCIDescriptor
    /// Bytes written so far (including those found when resuming).
    public private(set) var size: Int64 = 0
    private let subject: String
    private let file: FileDescriptor
    private var digest: Digest
    private var finished = false
    private let keepOnFailure: Bool

    /// Opens (or creates) `path` for `expected`; with `resume`, what the file holds is hashed
    /// and kept, and writing continues after it (it is dropped if it is already too long).
    init(path: String, expected: OCIDescriptor, subject: String, resume: Bool) throws {
        self.path = path
        self.expected = expected
        self.subject = subject
        keepOnFailure = resume
        file = try Self.openLocked(path)
        digest = Digest(expected.digest.algorithm)
        if resume, try file.stat().st_size <= expected.size {
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try file.read(into: $0) }
                if n == 0 { break }
                chunk.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                size += Int64(n)
            }
        } else {
            try restart()
        }
    }

    /// Opens and locks `path`, again if another writer finished (renamed) it meanwhile: the
    /// lock must be on the file that is at `path` now.
    private static func openLocked(_ path: String) throws -> FileDescriptor {
        while true {
            let file = try FileDescriptor.open(path, O_RDWR | O_CREAT, mode: 0o640)
            try check("flock \(quote(path))") { flock(file.raw, LOCK_EX) }
            var current = stat()
            let mine = try file.stat()
            if stat(path, &current) == 0 && current.st_ino == mine.st_ino && current.st_dev == mine.st_dev { return file }
        }
    }

    deinit {
        if !finished && !keepOnFailure { unlink(path) }
    }

    /// Appends a chunk; throws as soon as the blob is longer than its descriptor says.
    public func write(_ chunk: UnsafeRawBufferPointer) throws {
        guard size + Int64(chunk.count) <= expected.size else {
            let error = SkiffError(
                .invalid, "\(lead)blob \(expected.digest) is larger than the \(expected.size) bytes its descriptor gives")
            discard()
            throw error
        }
        digest.update(chunk)
        try file.write(chunk)
        size += Int64(chunk.count)
    }

    /// Forgets everything written (a server ignored the range and sends the whole blob).
    public func restart() throws {
        try check("truncate \(quote(path))") { ftruncate(file.raw, 0) }
        try check("seek \(quote(path))") { lseek(file.raw, 0, SEEK_SET) }
        digest = Digest(expected.digest.algorithm)
        size = 0
    }

    /// Checks size and digest and renames the blob to `target`. On a mismatch the bytes are
    /// dropped (a resumed download must not continue from corrupt data) and the error names
    /// the blob and both values.
    func finish(into target: String) throws {
        guard size == expected.size else {
            discard()
            throw SkiffError(.invalid, "\(lead)blob \(expected.digest) has \(size) bytes, its descriptor says \(expected.size)")
        }
        let actual = digest.finalize().hexString
        guard actual == expected.digest.hex else {
            discard()
            throw SkiffError(
                .invalid,
                "\(lead)blob \(expected.digest) has digest \(expected.digest.algorithm.rawValue):\(actual) (corrupt or tampered)")
        }
        try file.sync()
        try FileSystem.rename(path, to: target)
        finished = true
        file.close()
    }

    /// "subject: " in front of messages (nothing when the caller names the image itself).
    private var lead: String { subject.isEmpty ? "" : subject + ": " }

    /// Drops the file.
    public func discard() {
        guard !finished else { return }
        finished = true
        unlink(path)
        file.close()
    }
}
