// A temporary directory removed when the test is done with it.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// mkdtemp under $TMPDIR (or /tmp), removed by `remove()` or on deinit.
public final class ScratchDirectory {
    /// The directory's path.
    public let path: String

    /// Creates `<tmp>/skiff-<label>-XXXXXX`.
    public init(_ label: String = "test") throws {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/skiff-\(label)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SkiffError.system("mkdtemp \(quote(base))")
        }
        path = String(cString: made)
    }

    deinit { remove() }

    /// Removes the directory and everything in it.
    public func remove() { try? FileSystem.removeTree(path) }

    /// Writes `text` to `name` inside the directory (parents created); returns the full path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    /// Writes `bytes` to `name` inside the directory (parents created); returns the full path.
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let full = path + "/" + name
        try FileSystem.createDirectory(FileSystem.parentPath(full))
        try FileSystem.writeAtomically(full, bytes)
        return full
    }
}
