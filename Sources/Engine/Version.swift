// What this build of Skiff is: its version and the specifications it implements.
#if canImport(Glibc)
import Glibc
#endif

/// Version facts printed by `skiff version` and recorded in what Skiff writes.
public enum SkiffVersion {
    /// Skiff's own version (semantic versioning).
    public static let skiff = "0.1.0"
    /// The appc specification version Skiff implements (rkt 1.30 implemented 0.8.11).
    public static let appc = "0.8.11"
    /// The OCI image specification version Skiff reads.
    public static let ociImage = "1.1.0"

    /// The Swift compiler major.minor this binary was built with.
    public static var swift: String {
        #if compiler(>=6.4)
            return "6.4 or later"
        #elseif compiler(>=6.3)
            return "6.3"
        #else
            return "older than 6.3"
        #endif
    }

    /// "linux/x86_64", from uname(2).
    public static var platform: String {
        var names = utsname()
        guard uname(&names) == 0 else { return "linux/unknown" }
        let machine = withUnsafeBytes(of: &names.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "linux/\(machine)"
    }
}
