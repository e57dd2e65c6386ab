// The cgroup limits an app's isolators ask for (appc-and-oci.md items 95, 96, 108), in the units
// the kernel files take, for v1 and v2.
import SkiffImage
import SkiffSystem

/// What to write into an app's (or a pod's) cgroup.
public struct CgroupLimits: Sendable, Equatable {
    /// `resource/memory` limit, bytes: memory.limit_in_bytes (v1) / memory.max (v2).
    public var memoryBytes: UInt64?
    /// `resource/cpu` limit, millicores: cfs quota = millicores × period / 1000.
    public var cpuMillicores: UInt64?
    /// `os/linux/cpu-shares`, else the `resource/cpu` request as shares (1024 per core, minimum 2,
    /// Kubernetes' mapping): cpu.shares (v1) / cpu.weight (v2, converted).
    public var cpuShares: UInt64?
    /// Whether only `devices` may be opened or created (false with `--insecure-options=paths`).
    public var restrictDevices: Bool
    /// The device nodes allowed when restricted.
    public var devices: [DeviceRule]

    /// The CFS period, in microseconds (100 ms, as systemd and runc use).
    public static let cpuPeriod: UInt64 = 100_000

    /// Limits with explicit parts.
    public init(
        memoryBytes: UInt64? = nil, cpuMillicores: UInt64? = nil, cpuShares: UInt64? = nil, restrictDevices: Bool = true,
        devices: [DeviceRule] = DeviceRule.standard
    ) {
        self.memoryBytes = memoryBytes
        self.cpuMillicores = cpuMillicores
        self.cpuShares = cpuShares
        self.restrictDevices = restrictDevices
        self.devices = devices
    }

    /// The limits of these isolators. `restrictDevices` is false for `--insecure-options=paths`.
    public static func resolve(isolators: [Isolator], restrictDevices: Bool) throws -> CgroupLimits {
        var limits = CgroupLimits(restrictDevices: restrictDevices)
        var explicitShares: UInt64?
        for isolator in isolators {
            switch try isolator.interpreted() {
            case .memory(let amounts):
                if let limit = amounts.limit { limits.memoryBytes = UInt64(max(0, limit.value)) }
            case .cpu(let amounts):
                if let limit = amounts.limit { limits.cpuMillicores = UInt64(max(0, limit.milliValue)) }
                if let request = amounts.effectiveRequest {
                    limits.cpuShares = max(2, UInt64(max(0, request.milliValue)) * 1024 / 1000)
                }
            case .cpuShares(let shares): explicitShares = UInt64(shares)
            default: continue
            }
        }
        if let explicitShares { limits.cpuShares = explicitShares }
        return limits
    }

    /// cpu.cfs_quota_us / the first field of cpu.max. At least 1000 µs, the kernel's minimum
    /// (so below 10 millicores the quota is 10 millicores).
    public var cpuQuota: UInt64? { cpuMillicores.map { max(1000, $0 * CgroupLimits.cpuPeriod / 1000) } }

    /// cpu.weight for `cpuShares`: 1 + (shares − 2) × 9999 / 262142, the conversion runc, crun and
    /// systemd use (2 → 1, 1024 → 39, 262144 → 10000).
    public var cpuWeight: UInt64? {
        cpuShares.map { 1 + (min(max($0, 2), 262_144) - 2) * 9999 / 262_142 }
    }

    /// The controllers these limits need; pids when they need none, so the pod always has a
    /// cgroup that tracks its processes (for listing and killing them).
    public var controllers: Set<CgroupController> {
        var set: Set<CgroupController> = []
        if memoryBytes != nil { set.insert(.memory) }
        if cpuMillicores != nil || cpuShares != nil { set.insert(.cpu) }
        if restrictDevices { set.insert(.devices) }
        return set.isEmpty ? [.pids] : set
    }
}

/// One allowed device: a type, a major/minor (nil = any) and the access.
public struct DeviceRule: Sendable, Equatable {
    /// Character or block device.
    public enum Kind: String, Sendable { case character = "c", block = "b" }

    /// c or b.
    public var kind: Kind
    /// Major number, nil for any.
    public var major: UInt32?
    /// Minor number, nil for any.
    public var minor: UInt32?
    /// Any of "r" (read), "w" (write), "m" (mknod).
    public var access: String

    /// A rule.
    public init(_ kind: Kind, _ major: UInt32?, _ minor: UInt32?, _ access: String = "rwm") {
        self.kind = kind
        self.major = major
        self.minor = minor
        self.access = access
    }

    /// The standard nodes of appc-and-oci.md items 84-87: null, zero, full, random, urandom,
    /// tty, console, ptmx and the devpts terminals. Nothing else can be opened or created.
    public static let standard: [DeviceRule] = [
        DeviceRule(.character, 1, 3), DeviceRule(.character, 1, 5), DeviceRule(.character, 1, 7),
        DeviceRule(.character, 1, 8), DeviceRule(.character, 1, 9), DeviceRule(.character, 5, 0),
        DeviceRule(.character, 5, 1), DeviceRule(.character, 5, 2), DeviceRule(.character, 136, nil),
    ]

    /// The v1 devices.allow line: "c 1:3 rwm", "c 136:* rwm".
    public var line: String {
        "\(kind.rawValue) \(major.map(String.init) ?? "*"):\(minor.map(String.init) ?? "*") \(access)"
    }
}
