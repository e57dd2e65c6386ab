// Private scratch directories for programs Skiff composes with (a throwaway GNUPGHOME, ...).
#if canImport(Glibc)
import Glibc
#endif

extension FileSystem {
    /// Where temporary directories go by default: `$TMPDIR` if it is an absolute path, else /tmp.
    public static var temporaryDirectory: String {
        if let value = getenv("TMPDIR") {
            let path = String(cString: value)
            if path.hasPrefix("/") { return path }
        }
        return "/tmp"
    }

    /// mkdtemp(3): creates a new, empty directory `<parent>/<prefix>XXXXXX` with mode 0700 (only
    /// this user can enter it) and returns its path. The caller removes it with `removeTree`.
    public static func makeTemporaryDirectory(in parent: String, prefix: String) throws -> String {
        var template = Array((parent + "/" + prefix + "XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard made != nil else { throw SkiffError.system("mkdtemp \(quote(parent + "/" + prefix + "XXXXXX"))") }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
