// An owned file descriptor: closed exactly once, when the owner is done with it.
#if canImport(Glibc)
import Glibc
#endif

/// An open file descriptor that closes itself on deinit. Every open is O_CLOEXEC, so no
/// descriptor leaks into programs Skiff starts unless it is passed on purpose.
public final class FileDescriptor {
    /// The raw descriptor; -1 once closed.
    public private(set) var raw: Int32
    /// What was opened, for error messages.
    public let path: String

    /// Takes ownership of `raw`.
    public init(owning raw: Int32, path: String) {
        self.raw = raw
        self.path = path
    }

    deinit { if raw >= 0 { Glibc.close(raw) } }

    /// open(2) with O_CLOEXEC added.
    public static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws -> FileDescriptor {
        let fd = try check("open \(quote(path))") { Glibc.open(path, flags | O_CLOEXEC, mode) }
        return FileDescriptor(owning: fd, path: path)
    }

    /// openat(2) relative to this directory, with O_CLOEXEC added.
    public func openAt(_ name: String, _ flags: Int32, mode: mode_t = 0o644) throws -> FileDescriptor {
        let fd = try check("open \(quote(path + "/" + name))") { Glibc.openat(raw, name, flags | O_CLOEXEC, mode) }
        return FileDescriptor(owning: fd, path: path + "/" + name)
    }

    /// Closes now; later closes (and deinit) do nothing.
    public func close() {
        if raw >= 0 { Glibc.close(raw) }
        raw = -1
    }

    /// Gives up ownership: the caller now closes the returned descriptor.
    public func release() -> Int32 {
        defer { raw = -1 }
        return raw
    }

    /// Reads up to `buffer.count` bytes; 0 at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try check("read \(quote(path))") { Glibc.read(raw, buffer.baseAddress, buffer.count) }
    }

    /// Reads until `buffer` is full or end of file; returns the bytes read.
    public func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var total = 0
        while total < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[total...]))
            if n == 0 { break }
            total += n
        }
        return total
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = try check("write \(quote(path))") {
                Glibc.write(raw, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            offset += n
        }
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Reads everything to end of file.
    public func readAll(limit: Int = Int.max) throws -> [UInt8] {
        // The buffer is sized from fstat (a regular file's size plus one byte, so the end shows
        // in the next read) and never zero-filled: a zeroed 64 KiB chunk per file was 14% of the
        // instructions of `skiff run` and 16 page faults in each process that reads a file.
        var st = Glibc.stat()
        let size = fstat(raw, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : 0
        let chunkSize = size > 0 ? min(size, limit, 1 << 20) + 1 : 65536
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        var result: [UInt8] = []
        while true {
            let n = try read(into: chunk)
            if n == 0 { return result }
            result.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<n]))
            if result.count > limit {
                throw SkiffError(.invalid, "read \(quote(path)): larger than \(limit) bytes")
            }
        }
    }

    /// fstat(2).
    public func stat() throws -> Glibc.stat {
        var st = Glibc.stat()
        try check("stat \(quote(path))") { fstat(raw, &st) }
        return st
    }

    /// fsync(2): the data is on disk before a rename makes it visible.
    public func sync() throws {
        try check("fsync \(quote(path))") { fsync(raw) }
    }
}
