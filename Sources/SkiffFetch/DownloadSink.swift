// Where a body goes while it downloads: the caller hashes and writes it chunk by chunk.
import SkiffSystem

/// Receives a response body in order, chunk by chunk, while it downloads.
public protocol DownloadSink: AnyObject {
    /// Takes the next chunk; throwing stops the download (curl is killed) and `get` rethrows.
    func write(_ chunk: UnsafeRawBufferPointer) throws
    /// Forgets everything written so far: called before the first byte when a resumed download
    /// (`resumeFrom` > 0) got the whole body (200) instead of the rest (206). The default
    /// throws, so a sink that cannot start over fails loudly instead of silently corrupting.
    func restart() throws
}

extension DownloadSink {
    /// Default: a sink that cannot start over refuses.
    public func restart() throws {
        throw SkiffError(.invalid, "download sink cannot restart after the server ignored the range")
    }
}

/// Keeps a body in memory, refusing more than `limit` bytes.
public final class MemorySink: DownloadSink {
    /// Everything written since the last restart.
    public private(set) var bytes: [UInt8] = []
    /// The most bytes accepted.
    public let limit: Int
    /// Whether a write was refused for going over `limit`.
    public private(set) var overflowed = false

    /// A sink for at most `limit` bytes.
    public init(limit: Int = 4 << 20) { self.limit = limit }

    /// Appends, or throws once the total would exceed `limit`.
    public func write(_ chunk: UnsafeRawBufferPointer) throws {
        guard bytes.count + chunk.count <= limit else {
            overflowed = true
            throw SkiffError(.invalid, "body larger than \(limit) bytes")
        }
        bytes.append(contentsOf: chunk)
    }

    /// Empties the buffer.
    public func restart() throws { bytes.removeAll(keepingCapacity: true) }
}
