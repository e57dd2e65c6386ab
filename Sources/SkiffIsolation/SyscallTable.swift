// Syscall names and numbers per architecture, from the tables SyscallNumbers.swift embeds
// (generated from linux-libc-dev's UAPI headers by ci/gen-syscall-tables), plus the few
// syscalls newer than those headers.

/// An architecture a seccomp filter can be built for.
public enum SeccompArchitecture: String, Sendable, CaseIterable {
    case x86_64
    case aarch64

    /// The architecture this build runs on.
    public static var native: SeccompArchitecture {
        #if arch(arm64)
            return .aarch64
        #else
            return .x86_64
        #endif
    }

    /// The AUDIT_ARCH_* value the kernel puts in seccomp_data.arch (linux/audit.h).
    public var auditArch: UInt32 {
        switch self {
        case .x86_64: return 0xC000_003E  // EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
        case .aarch64: return 0xC000_00B7  // EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
        }
    }

    /// The syscall numbers of this architecture.
    var table: SyscallTable {
        switch self {
        case .x86_64: return SyscallTable.x86_64
        case .aarch64: return SyscallTable.aarch64
        }
    }
}

/// One architecture's syscall numbers.
struct SyscallTable: Sendable {
    /// Name → number.
    let numbers: [String: UInt32]
    /// The highest number in the table: anything above is newer than the table.
    let highest: UInt32

    init(_ text: String) {
        var numbers: [String: UInt32] = [:]
        for pair in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\\" }) {
            guard let colon = pair.firstIndex(of: ":"), let number = UInt32(pair[pair.index(after: colon)...]) else { continue }
            numbers[String(pair[..<colon])] = number
        }
        // Since Linux 5.1 every architecture numbers new syscalls alike (424 on), so these apply
        // to both; they are newer than the linux-libc-dev the tables come from (6.1).
        for (name, number) in SyscallTable.newer where numbers[name] == nil { numbers[name] = number }
        self.numbers = numbers
        self.highest = numbers.values.max() ?? 0
    }

    /// Syscalls of Linux 6.2-6.10, numbered alike on every architecture.
    static let newer: [(String, UInt32)] = [
        ("cachestat", 451), ("fchmodat2", 452), ("map_shadow_stack", 453), ("futex_wake", 454), ("futex_wait", 455),
        ("futex_requeue", 456), ("statmount", 457), ("listmount", 458), ("lsm_get_self_attr", 459),
        ("lsm_set_self_attr", 460), ("lsm_list_modules", 461), ("mseal", 462),
    ]

    static let x86_64 = SyscallTable(SyscallNumbers.x86_64)
    static let aarch64 = SyscallTable(SyscallNumbers.aarch64)
    static let i386 = SyscallTable(SyscallNumbers.i386)

    /// Names that exist only on architectures Skiff does not filter for (32-bit ARM, PowerPC,
    /// s390, ...) but appear in rkt's, Docker's or systemd's lists. Accepted in a set, and left out
    /// of the filter.
    static let foreignNames: Set<String> = [
        "breakpoint", "cacheflush", "set_tls", "usr26", "usr32", "arm_fadvise64_64", "arm_sync_file_range",
        "sync_file_range2", "recv", "send", "rtas", "subpage_prot", "switch_endian", "sys_debug_setcontext",
        "pciconfig_iobase", "pciconfig_read", "pciconfig_write", "s390_runtime_instr", "s390_pci_mmio_read",
        "s390_pci_mmio_write",
    ]

    /// Whether `name` is a syscall on any architecture Skiff knows of.
    static func isKnown(_ name: String) -> Bool {
        x86_64.numbers[name] != nil || aarch64.numbers[name] != nil || i386.numbers[name] != nil
            || foreignNames.contains(name)
    }
}
