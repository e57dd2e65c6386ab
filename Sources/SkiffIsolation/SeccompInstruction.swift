// Classic BPF, the subset seccomp filters use: instructions, their encodings, and an interpreter
// (so tests and diagnostics can run a program against any syscall number without installing it).

/// One classic BPF instruction (struct sock_filter).
public struct SeccompInstruction: Sendable, Equatable, CustomStringConvertible {
    /// Opcode.
    public var code: UInt16
    /// Jump offset if true.
    public var jt: UInt8
    /// Jump offset if false.
    public var jf: UInt8
    /// Constant.
    public var k: UInt32

    /// An instruction.
    public init(code: UInt16, jt: UInt8 = 0, jf: UInt8 = 0, k: UInt32) {
        self.code = code
        self.jt = jt
        self.jf = jf
        self.k = k
    }

    static let loadWord: UInt16 = 0x20  // BPF_LD | BPF_W | BPF_ABS
    static let jumpAlways: UInt16 = 0x05  // BPF_JMP | BPF_JA
    static let jumpEqual: UInt16 = 0x15  // BPF_JMP | BPF_JEQ | BPF_K
    static let jumpGreater: UInt16 = 0x25  // BPF_JMP | BPF_JGT | BPF_K
    static let jumpGreaterEqual: UInt16 = 0x35  // BPF_JMP | BPF_JGE | BPF_K
    static let returnConstant: UInt16 = 0x06  // BPF_RET | BPF_K

    /// seccomp_data offsets.
    static let offsetNumber: UInt32 = 0
    static let offsetArch: UInt32 = 4

    static func load(_ offset: UInt32) -> SeccompInstruction { SeccompInstruction(code: loadWord, k: offset) }
    static func ret(_ action: UInt32) -> SeccompInstruction { SeccompInstruction(code: returnConstant, k: action) }
    static func jump(_ offset: UInt32) -> SeccompInstruction { SeccompInstruction(code: jumpAlways, k: offset) }

    /// Assembler-like text ("jeq #39, +0, +1").
    public var description: String {
        switch code {
        case Self.loadWord: return "ld [\(k)]"
        case Self.jumpAlways: return "ja +\(k)"
        case Self.jumpEqual: return "jeq #\(k), +\(jt), +\(jf)"
        case Self.jumpGreater: return "jgt #\(k), +\(jt), +\(jf)"
        case Self.jumpGreaterEqual: return "jge #\(k), +\(jt), +\(jf)"
        case Self.returnConstant: return "ret #0x\(String(k, radix: 16))"
        default: return "op 0x\(String(code, radix: 16)) #\(k)"
        }
    }
}

/// seccomp return actions (linux/seccomp.h).
public enum SeccompAction {
    /// SECCOMP_RET_KILL_PROCESS (Linux 4.14+): the whole process dies with SIGSYS.
    public static let killProcess: UInt32 = 0x8000_0000
    /// SECCOMP_RET_ALLOW.
    public static let allow: UInt32 = 0x7fff_0000
    /// SECCOMP_RET_ERRNO with `errno` in the low 16 bits.
    public static func errno(_ value: Int32) -> UInt32 { 0x0005_0000 | (UInt32(bitPattern: value) & 0xffff) }
}

extension Array where Element == SeccompInstruction {
    /// Runs the program for syscall `number` of architecture `arch` (arguments are never read by
    /// Skiff's filters) and returns the action, as the kernel would. Nil for a malformed program
    /// (a jump out of it, an unknown opcode, no return).
    public func evaluate(number: UInt32, arch: UInt32) -> UInt32? {
        var accumulator: UInt32 = 0
        var pc = 0
        while pc < count {
            let insn = self[pc]
            switch insn.code {
            case SeccompInstruction.loadWord:
                guard insn.k == SeccompInstruction.offsetNumber || insn.k == SeccompInstruction.offsetArch else { return nil }
                accumulator = insn.k == SeccompInstruction.offsetNumber ? number : arch
                pc += 1
            case SeccompInstruction.jumpAlways: pc += 1 + Int(insn.k)
            case SeccompInstruction.jumpEqual: pc += 1 + Int(accumulator == insn.k ? insn.jt : insn.jf)
            case SeccompInstruction.jumpGreater: pc += 1 + Int(accumulator > insn.k ? insn.jt : insn.jf)
            case SeccompInstruction.jumpGreaterEqual: pc += 1 + Int(accumulator >= insn.k ? insn.jt : insn.jf)
            case SeccompInstruction.returnConstant: return insn.k
            default: return nil
            }
        }
        return nil
    }
}
