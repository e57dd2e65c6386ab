// The byte streams a tar reader pulls from: a file, or a wrapper that sees every chunk so the
// image store can hash (image ID = SHA-512 of the uncompressed tar) while it parses.
import SkiffSystem

/// Anything bytes can be pulled from.
public protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes; 0 only at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Reads a file descriptor (from its current offset).
public final class FileSource: ByteSource {
    /// The descriptor read from; the caller keeps it open while this source is used.
    public let descriptor: FileDescriptor

    /// Reads `fd`.
    public init(_ fd: FileDescriptor) { descriptor = fd }

    /// read(2), retrying EINTR.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try descriptor.read(into: buffer)
    }
}

/// Calls `observe` with every chunk read through it (for hashing and copying while parsing).
public final class ObservedSource: ByteSource {
    private let inner: ByteSource
    private let observe: (UnsafeRawBufferPointer) throws -> Void

    /// Wraps `inner`; `observe` sees each chunk once, in order, before the reader does.
    public init(_ inner: ByteSource, observe: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.inner = inner
        self.observe = observe
    }

    /// Reads from the inner source and shows the bytes to the observer.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        if n > 0 { try observe(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) }
        return n
    }
}

/// A source over bytes in memory (tests and small archives).
public final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    /// Serves `bytes`, then end of stream.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Copies the next bytes out.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset)
        if n > 0 {
            bytes.withUnsafeBytes { all in
                guard let from = all.baseAddress, let to = buffer.baseAddress else { return }
                to.copyMemory(from: from + offset, byteCount: n)
            }
            offset += n
        }
        return n
    }
}
