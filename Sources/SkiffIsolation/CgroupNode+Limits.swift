// Writing CgroupLimits into a node's interface files, v1 or v2 per controller, and reading them
// back.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// Limits as the kernel reports them.
public struct CgroupReadback: Sendable, Equatable {
    /// memory.limit_in_bytes / memory.max; nil for "max" (or v1's huge "unlimited" value).
    public var memoryBytes: UInt64?
    /// cfs_quota_us / cpu.max's first field; nil for unlimited.
    public var cpuQuota: UInt64?
    /// cfs_period_us / cpu.max's second field.
    public var cpuPeriod: UInt64?
    /// cpu.shares (v1).
    public var cpuShares: UInt64?
    /// cpu.weight (v2).
    public var cpuWeight: UInt64?
    /// v1: devices.list lines; v2: one line per attached device program ("bpf program").
    public var devices: [String]
}

extension CgroupNode {
    /// Writes `limits` into the node: each limit into the hierarchy serving its controller.
    public func apply(_ limits: CgroupLimits) throws {
        if let bytes = limits.memoryBytes, let member = member(for: .memory) {
            let file = member.hierarchy.version == 1 ? "memory.limit_in_bytes" : "memory.max"
            try CgroupFiles.write(member.directory + "/" + file, "\(bytes)")
            // Swap would let a hog outlive its limit: memory+swap capped at the same value (v1,
            // when swap accounting exists), no swap at all (v2).
            let swap = member.directory + "/" + (member.hierarchy.version == 1 ? "memory.memsw.limit_in_bytes" : "memory.swap.max")
            if FileSystem.exists(swap) { try CgroupFiles.write(swap, member.hierarchy.version == 1 ? "\(bytes)" : "0") }
        }
        if let member = member(for: .cpu) {
            let quota = limits.cpuQuota
            if member.hierarchy.version == 1 {
                if let quota {
                    try CgroupFiles.write(member.directory + "/cpu.cfs_period_us", "\(CgroupLimits.cpuPeriod)")
                    try CgroupFiles.write(member.directory + "/cpu.cfs_quota_us", "\(quota)")
                }
                if let shares = limits.cpuShares { try CgroupFiles.write(member.directory + "/cpu.shares", "\(shares)") }
            } else {
                if let quota { try CgroupFiles.write(member.directory + "/cpu.max", "\(quota) \(CgroupLimits.cpuPeriod)") }
                if let weight = limits.cpuWeight { try CgroupFiles.write(member.directory + "/cpu.weight", "\(weight)") }
            }
        }
        if limits.restrictDevices, let member = member(for: .devices) {
            if member.hierarchy.version == 1 {
                // Deny everything, then allow the standard nodes (a child can only narrow its
                // parent's list, so this also works below an already restricted cgroup).
                try CgroupFiles.write(member.directory + "/devices.deny", "a")
                for rule in limits.devices { try CgroupFiles.write(member.directory + "/devices.allow", rule.line) }
            } else {
                try CgroupDevices.attach(limits.devices, to: member.directory)
            }
        }
    }

    /// The limits currently in force, as the kernel reports them.
    public func readLimits() throws -> CgroupReadback {
        var result = CgroupReadback(devices: [])
        if let member = member(for: .memory) {
            let v1 = member.hierarchy.version == 1
            let value = try CgroupFiles.read(member.directory + "/" + (v1 ? "memory.limit_in_bytes" : "memory.max"))
            // v1 reports "unlimited" as PAGE_COUNTER_MAX pages in bytes (~2^63).
            result.memoryBytes = UInt64(value).flatMap { $0 >= 1 << 62 ? nil : $0 }
        }
        if let member = member(for: .cpu) {
            if member.hierarchy.version == 1 {
                let quota = Int64(try CgroupFiles.read(member.directory + "/cpu.cfs_quota_us")) ?? -1
                result.cpuQuota = quota < 0 ? nil : UInt64(quota)
                result.cpuPeriod = UInt64(try CgroupFiles.read(member.directory + "/cpu.cfs_period_us"))
                result.cpuShares = UInt64(try CgroupFiles.read(member.directory + "/cpu.shares"))
            } else {
                let fields = try CgroupFiles.words(member.directory + "/cpu.max")
                result.cpuQuota = fields.first.flatMap { UInt64($0) }
                result.cpuPeriod = fields.count > 1 ? UInt64(fields[1]) : nil
                result.cpuWeight = UInt64(try CgroupFiles.read(member.directory + "/cpu.weight"))
            }
        }
        if let member = member(for: .devices) {
            if member.hierarchy.version == 1 {
                result.devices = try CgroupFiles.read(member.directory + "/devices.list").split(separator: "\n").map(String.init)
            } else {
                result.devices = Array(repeating: "bpf program", count: try CgroupDevices.attachedPrograms(member.directory))
            }
        }
        return result
    }
}
