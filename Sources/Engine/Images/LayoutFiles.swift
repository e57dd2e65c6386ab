// The files of an OCI layout or a docker-save archive, whether they sit in a directory or in a
// tar: the sources read `index.json`, `manifest.json` and `blobs/…` through this.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// Read access to the files of a layout or archive, by relative path.
protocol LayoutFiles: AnyObject {
    /// The size of the regular file at `path`, nil when there is none.
    func size(_ path: String) -> Int64?
    /// The whole file, refused past `limit` bytes.
    func read(_ path: String, limit: Int) throws -> [UInt8]
    /// The file's bytes in order, in chunks.
    func stream(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws
}

/// The files of a directory (an OCI image layout as skopeo, umoci or `image export` write it).
final class DirectoryFiles: LayoutFiles {
    let root: String

    init(_ root: String) throws {
        guard FileSystem.isDirectory(root) else { throw SkiffError(.notFound, "\(quote(root)): no such directory") }
        self.root = root
    }

    func size(_ path: String) -> Int64? {
        var st = stat()
        guard stat(root + "/" + path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int64(st.st_size)
    }

    func read(_ path: String, limit: Int) throws -> [UInt8] {
        try FileSystem.read(root + "/" + path, limit: limit)
    }

    func stream(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let file = try FileDescriptor.open(root + "/" + path, O_RDONLY)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = try file.read(into: buffer)
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }
}

/// Reads a file's bytes `offset ..< offset + size` with pread, in chunks.
func streamRange(_ file: FileDescriptor, offset: Int64, size: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
    defer { buffer.deallocate() }
    var done: Int64 = 0
    while done < size {
        let want = Int(min(Int64(buffer.count), size - done))
        let n = try check("read \(quote(file.path))") { pread(file.raw, buffer.baseAddress, want, off_t(offset + done)) }
        if n == 0 { throw SkiffError(.invalid, "read \(quote(file.path)): ends early (truncated archive)") }
        try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        done += Int64(n)
    }
}
