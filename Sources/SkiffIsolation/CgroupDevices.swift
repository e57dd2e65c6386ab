// Device access on cgroup v2: there is no devices.allow file, only an eBPF program of type
// BPF_PROG_TYPE_CGROUP_DEVICE attached to the cgroup, which the kernel runs on every open and
// mknod of a device node. This builds the program from DeviceRules (the same ones v1 writes to
// devices.allow) and attaches it. Like runc's and crun's, it is a list of rule blocks; the first
// block that matches allows, falling off the end denies.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// Device programs for cgroup v2.
public enum CgroupDevices {
    /// The eBPF program allowing exactly `rules`. Short, because its load is paid by every pod
    /// start: per rule only the tests it needs (no access test for an "rwm" rule), the last of
    /// them jumping straight to one shared "allow" exit; falling through every rule denies.
    public static func program(_ rules: [DeviceRule]) -> [sk_ebpf_insn] {
        enum Target { case none, next, allow }
        // struct bpf_cgroup_dev_ctx { u32 access_type (access << 16 | type); u32 major; u32 minor; }
        var code: [sk_ebpf_insn] = [load(2, offset: 0), alu(and, 2, imm: 0xffff)]  // r2 = type
        if rules.contains(where: { accessBits($0.access) != 7 }) {
            code += [load(3, offset: 0), alu(rsh, 3, imm: 16)]  // r3 = requested access
        }
        code += [load(4, offset: 4), load(5, offset: 8)]  // r4 = major, r5 = minor
        var body: [(sk_ebpf_insn, Target, Int)] = []  // instruction, where it jumps, its block
        for (index, rule) in rules.enumerated() {
            var block: [(sk_ebpf_insn, Target)] = [(skipUnless(2, equals: rule.kind == .block ? 1 : 2), .next)]  // BPF_DEVCG_DEV_BLOCK / _CHAR
            if accessBits(rule.access) != 7 {
                block.append((sk_ebpf_insn(code: 0xbf, regs: 1 | (3 << 4), off: 0, imm: 0), .none))  // r1 = r3
                block.append((alu(and, 1, imm: ~accessBits(rule.access)), .none))  // r1 &= ~allowed
                block.append((skipUnless(1, equals: 0), .next))  // nothing requested beyond allowed
            }
            switch (rule.major, rule.minor) {
            case let (major?, minor?):
                block.append((skipUnless(4, equals: Int32(bitPattern: major)), .next))
                block.append((jumpIf(5, equals: Int32(bitPattern: minor)), .allow))
            case let (major?, nil): block.append((jumpIf(4, equals: Int32(bitPattern: major)), .allow))
            case let (nil, minor?): block.append((jumpIf(5, equals: Int32(bitPattern: minor)), .allow))
            case (nil, nil): block.append((sk_ebpf_insn(code: 0x05, regs: 0, off: 0, imm: 0), .allow))  // ja
            }
            body += block.map { ($0.0, $0.1, index) }
        }
        let blockEnds = Dictionary(body.indices.map { (body[$0].2, $0 + 1) }, uniquingKeysWith: max)
        let allow = body.count + 2  // after the deny exit
        for (position, entry) in body.enumerated() {
            var insn = entry.0
            switch entry.1 {
            case .none: break
            case .next: insn.off = Int16((blockEnds[entry.2] ?? position + 1) - position - 1)
            case .allow: insn.off = Int16(allow - position - 1)
            }
            code.append(insn)
        }
        code.append(sk_ebpf_insn(code: 0xb7, regs: 0, off: 0, imm: 0))  // r0 = 0: deny
        code.append(sk_ebpf_insn(code: 0x95, regs: 0, off: 0, imm: 0))
        code.append(sk_ebpf_insn(code: 0xb7, regs: 0, off: 0, imm: 1))  // r0 = 1: allow
        code.append(sk_ebpf_insn(code: 0x95, regs: 0, off: 0, imm: 0))
        return code
    }

    /// Loads the program for `rules` and attaches it to the v2 cgroup directory `directory`.
    public static func attach(_ rules: [DeviceRule], to directory: String) throws {
        let cgroup = try FileDescriptor.open(directory, O_RDONLY | O_DIRECTORY)
        let code = program(rules)
        var log = [CChar](repeating: 0, count: 4096)
        let programFD = code.withUnsafeBufferPointer { insns in
            sk_bpf_load_device_program(insns.baseAddress, UInt32(insns.count), &log, UInt32(log.count))
        }
        if programFD < 0 {
            let saved = errno
            let message = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let detail = message.isEmpty ? "" : " (verifier: \(message.split(separator: "\n").last ?? ""))"
            throw SkiffError.system("load the device program for \(quote(directory))\(detail)", errno: saved)
        }
        let owned = FileDescriptor(owning: programFD, path: "device program")
        try check("attach the device program to \(quote(directory))") { sk_bpf_attach_device_program(owned.raw, cgroup.raw) }
    }

    /// How many device programs are attached directly to the v2 cgroup `directory`.
    public static func attachedPrograms(_ directory: String) throws -> Int {
        let cgroup = try FileDescriptor.open(directory, O_RDONLY | O_DIRECTORY)
        return Int(try check("query the device programs of \(quote(directory))") { sk_bpf_count_device_programs(cgroup.raw) })
    }

    private static let and: UInt8 = 0x57  // BPF_ALU64 | BPF_AND | BPF_K
    private static let rsh: UInt8 = 0x77  // BPF_ALU64 | BPF_RSH | BPF_K
    private static let jumpNotEqual: UInt8 = 0x55  // BPF_JMP | BPF_JNE | BPF_K

    private static func load(_ register: UInt8, offset: Int16) -> sk_ebpf_insn {
        sk_ebpf_insn(code: 0x61, regs: register | (1 << 4), off: offset, imm: 0)  // BPF_LDX | BPF_MEM | BPF_W from r1
    }

    private static func alu(_ op: UInt8, _ register: UInt8, imm: Int32) -> sk_ebpf_insn {
        sk_ebpf_insn(code: op, regs: register, off: 0, imm: imm)
    }

    /// `if register == value goto ...` (the offset is filled in by `program`).
    private static func jumpIf(_ register: UInt8, equals value: Int32) -> sk_ebpf_insn {
        sk_ebpf_insn(code: 0x15, regs: register, off: 0, imm: value)  // BPF_JMP | BPF_JEQ | BPF_K
    }

    /// `if register != value goto end-of-block` (the offset is filled in by `program`).
    private static func skipUnless(_ register: UInt8, equals value: Int32) -> sk_ebpf_insn {
        sk_ebpf_insn(code: jumpNotEqual, regs: register, off: 0, imm: value)
    }

    /// BPF_DEVCG_ACC_MKNOD (1), _READ (2), _WRITE (4).
    static func accessBits(_ access: String) -> Int32 {
        (access.contains("m") ? 1 : 0) | (access.contains("r") ? 2 : 0) | (access.contains("w") ? 4 : 0)
    }
}
