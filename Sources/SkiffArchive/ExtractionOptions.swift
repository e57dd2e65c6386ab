// What an extraction may do and how much it may write.
#if canImport(Glibc)
import Glibc
#endif

/// Ceilings that stop a hostile or broken archive. Defaults generous but finite; tests set small ones.
public struct ExtractionLimits: Sendable {
    /// Total bytes of regular-file data.
    public var maxBytes: Int64
    /// Number of entries (of every kind, whiteouts included).
    public var maxEntries: Int
    /// Bytes in one entry's path.
    public var maxPathBytes: Int

    /// Limits; the defaults are 64 GiB, 4 million entries and 4096-byte paths.
    public init(maxBytes: Int64 = 64 << 30, maxEntries: Int = 4_000_000, maxPathBytes: Int = 4096) {
        self.maxBytes = maxBytes
        self.maxEntries = maxEntries
        self.maxPathBytes = maxPathBytes
    }
}

/// Which device nodes an extraction creates (see SafeExtractor's rules).
public enum DevicePolicy: Sendable {
    /// Skip every device node.
    case none
    /// Only the standard character devices (null, zero, full, random, urandom, tty, console, ptmx), as root.
    case standardOnly
    /// Every device node, as root.
    case all
}

/// How `SafeExtractor` extracts.
public struct ExtractionOptions: Sendable {
    /// Size ceilings.
    public var limits: ExtractionLimits
    /// lchown to the entries' numeric ids; default: running as root.
    public var preserveOwnership: Bool
    /// Which device nodes to create.
    public var devices: DevicePolicy
    /// OCI layer mode: ".wh.NAME" deletes NAME, ".wh..wh..opq" makes its directory opaque.
    public var whiteouts: Bool
    /// Resolve parents with the userspace walker even where openat2(2) exists (tests; kernels or
    /// seccomp profiles where openat2 misbehaves). Also forced by SKIFF_ARCHIVE_NO_OPENAT2=1.
    public var userspaceResolution: Bool

    /// Options; by default ownership is kept when running as root, only standard devices are
    /// created, whiteouts are ordinary files, and openat2 is used when the kernel has it.
    public init(
        limits: ExtractionLimits = ExtractionLimits(), preserveOwnership: Bool = geteuid() == 0,
        devices: DevicePolicy = .standardOnly, whiteouts: Bool = false,
        userspaceResolution: Bool = ExtractionOptions.userspaceResolutionFromEnvironment
    ) {
        self.limits = limits
        self.preserveOwnership = preserveOwnership
        self.devices = devices
        self.whiteouts = whiteouts
        self.userspaceResolution = userspaceResolution
    }

    /// Whether SKIFF_ARCHIVE_NO_OPENAT2 is set to something other than "" or "0".
    public static var userspaceResolutionFromEnvironment: Bool {
        guard let value = getenv("SKIFF_ARCHIVE_NO_OPENAT2") else { return false }
        let text = String(cString: value)
        return !text.isEmpty && text != "0"
    }
}

/// What an extraction did.
public struct ExtractionReport: Sendable {
    /// Entries processed (extracted, skipped, or applied as whiteouts).
    public var entries: Int
    /// Bytes of file data written.
    public var bytes: Int64
    /// Entries or attributes left out on purpose, each as "path: why".
    public var skipped: [String]

    /// A report.
    public init(entries: Int = 0, bytes: Int64 = 0, skipped: [String] = []) {
        self.entries = entries
        self.bytes = bytes
        self.skipped = skipped
    }
}
