// The os/arch label rules (aci.md "labels"; appc schema/types/labels.go ValidOSArch at v0.8.11):
// arch is meaningful, and checked, only when os is given.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// Operating system and architecture labels.
public enum Platform {
    /// appc's whitelist of os/arch pairs, arches in the order the spec lists them.
    public static let validArchitectures: [String: [String]] = [
        "linux": ["amd64", "i386", "aarch64", "aarch64_be", "armv6l", "armv7l", "armv7b", "ppc64", "ppc64le", "s390x"],
        "freebsd": ["amd64", "i386", "arm"],
        "darwin": ["x86_64", "i386"],
    ]

    /// Throws for an unknown os, or an arch not valid for the os. No os: nothing to check.
    public static func validateOSArch(os: String?, arch: String?) throws {
        if let problem = osProblem(os) { throw SkiffError(.invalid, "os \(quote(os ?? "")): \(problem)") }
        if let problem = archProblem(os: os, arch: arch) { throw SkiffError(.invalid, "arch \(quote(arch ?? "")): \(problem)") }
    }

    /// Why `os` is not a known os, or nil.
    static func osProblem(_ os: String?) -> String? {
        guard let os, validArchitectures[os] == nil else { return nil }
        return "unknown os (known: \(validArchitectures.keys.sorted().joined(separator: ", ")))"
    }

    /// Why `arch` is not valid for `os`, or nil (also nil without an os: arch alone means nothing).
    static func archProblem(os: String?, arch: String?) -> String? {
        guard let os, let arch, let arches = validArchitectures[os], !arches.contains(arch) else { return nil }
        return "unknown arch for os \(quote(os)) (known: \(arches.joined(separator: ", ")))"
    }

    /// This machine's labels for discovery and matching: `os=linux`, `arch=amd64` style.
    public static var hostLabels: [String: String] {
        ["os": "linux", "arch": appcArch(machine: machine())]
    }

    /// The appc arch for a `uname -m` machine name (x86_64 → amd64, i686 → i386, arm64 →
    /// aarch64); names appc already uses pass through.
    public static func appcArch(machine: String) -> String {
        switch machine {
        case "x86_64", "amd64": return "amd64"
        case "i386", "i486", "i586", "i686": return "i386"
        case "arm64": return "aarch64"
        case "armv7", "armv7hl": return "armv7l"
        default: return machine
        }
    }

    /// `uname -m`.
    static func machine() -> String {
        var names = utsname()
        guard uname(&names) == 0 else { return "unknown" }
        return withUnsafeBytes(of: &names.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
