// The error every Engine operation throws: a category, one lowercase line, and the errno if any.
#if canImport(Glibc)
import Glibc
#endif
import CShim

/// An error from Skiff itself (not from an app it runs). The CLI prints `skiff: <description>`
/// and exits with `SkiffError.exitCode` (254), as rkt did, so the engine's failures are never
/// mistaken for an app's exit status.
public struct SkiffError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; extensible without breaking callers that switch on it.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// A command, flag or argument was wrong.
        public static let usage = Code("usage")
        /// Something named does not exist.
        public static let notFound = Code("not found")
        /// A system call failed.
        public static let system = Code("system")
        /// Input (a file, a manifest, a config) is malformed.
        public static let invalid = Code("invalid")
        public var description: String { name }
    }

    /// The exit status of every engine failure.
    public static let exitCode: Int32 = 254

    public let code: Code
    /// One line naming the operation and the object, lowercase, without the errno text.
    public let message: String
    /// The errno of the failed system call, if this is one.
    public let errno: Int32?

    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    /// `operation` failed with the current errno: `SkiffError.system("open \(path)")`.
    public static func system(_ operation: String, errno code: Int32 = Glibc.errno) -> SkiffError {
        SkiffError(.system, operation, errno: code)
    }

    /// The message, with `: ENOENT (No such file or directory)` appended for system errors.
    public var description: String {
        guard let errno else { return message }
        let text = String(cString: strerror(errno))
        guard let name = sk_errno_name(errno) else { return "\(message): errno \(errno) (\(text))" }
        return "\(message): \(String(cString: name)) (\(text))"
    }
}
