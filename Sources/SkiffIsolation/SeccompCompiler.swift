// Compiling a SeccompPolicy into a classic BPF program for one architecture.
//
// Every program starts the same way:
//   ld arch; jeq AUDIT_ARCH → on, else ret DENY     (a 32-bit or foreign syscall ABI is denied:
//                                                     its numbers mean other syscalls)
//   ld nr
//   x86_64: jge 0x40000000 → ret DENY               (x32 ABI: same arch value, numbers | bit 30;
//                                                     without this a deny-list could be bypassed)
//   allow-list: jgt highest → ret ERRNO(ENOSYS)      (newer than the table: fail like an old
//                                                     kernel, so libc falls back instead of dying)
// then compares the number, either one `jeq` per listed syscall (linear) or a binary search over
// the boundaries of runs of consecutive numbers (tree). Both only load nr/arch and compare
// constants, so Linux 5.11+ caches "always allowed" numbers and skips the filter for them.
#if canImport(Glibc)
import Glibc
#endif

/// How the comparisons are laid out.
public enum SeccompLayout: Sendable, CaseIterable {
    /// One `jeq` per listed syscall, in number order: cost grows with the list.
    case linear
    /// A balanced binary search over runs of consecutive numbers: about log2(runs) compares.
    case tree
}

enum SeccompCompiler {
    /// The program for `policy` on `arch`.
    static func compile(_ policy: SeccompPolicy, arch: SeccompArchitecture, layout: SeccompLayout) -> [SeccompInstruction] {
        let table = arch.table
        let numbers = Set(policy.syscalls.compactMap { table.numbers[$0] }).sorted()
        let deny = policy.errno.map(SeccompAction.errno) ?? SeccompAction.killProcess
        let (match, other) = policy.mode == .allowList ? (SeccompAction.allow, deny) : (deny, SeccompAction.allow)

        var program: [SeccompInstruction] = [
            .load(SeccompInstruction.offsetArch),
            SeccompInstruction(code: SeccompInstruction.jumpEqual, jt: 1, jf: 0, k: arch.auditArch),
            .ret(deny),
            .load(SeccompInstruction.offsetNumber),
        ]
        if arch == .x86_64 {
            program.append(SeccompInstruction(code: SeccompInstruction.jumpGreaterEqual, jt: 0, jf: 1, k: 0x4000_0000))
            program.append(.ret(deny))
        }
        if policy.mode == .allowList {
            program.append(SeccompInstruction(code: SeccompInstruction.jumpGreater, jt: 0, jf: 1, k: table.highest))
            program.append(.ret(SeccompAction.errno(ENOSYS)))
        }
        switch layout {
        case .linear: program += linear(numbers, match: match, other: other)
        case .tree: program += tree(runs(numbers), match: match, other: other)
        }
        return program
    }

    /// `jeq n, 0, 1; ret match` per number, then `ret other`. Two instructions per syscall keep
    /// every jump short (classic BPF offsets are 8 bits).
    static func linear(_ numbers: [UInt32], match: UInt32, other: UInt32) -> [SeccompInstruction] {
        var code: [SeccompInstruction] = []
        for number in numbers {
            code.append(SeccompInstruction(code: SeccompInstruction.jumpEqual, jt: 0, jf: 1, k: number))
            code.append(.ret(match))
        }
        code.append(.ret(other))
        return code
    }

    /// Maximal runs of consecutive numbers, as closed ranges.
    static func runs(_ sorted: [UInt32]) -> [ClosedRange<UInt32>] {
        var result: [ClosedRange<UInt32>] = []
        for number in sorted {
            if let last = result.last, last.upperBound &+ 1 == number {
                result[result.count - 1] = last.lowerBound...number
            } else {
                result.append(number...number)
            }
        }
        return result
    }

    /// A binary search over the number line cut at every run's start and end + 1: each piece is
    /// wholly inside a run (match) or between runs (other).
    static func tree(_ runs: [ClosedRange<UInt32>], match: UInt32, other: UInt32) -> [SeccompInstruction] {
        // boundaries[i] starts piece i + 1; piece 0 is everything below boundaries[0].
        var boundaries: [UInt32] = []
        var actions: [UInt32] = [other]
        for run in runs {
            if run.lowerBound == 0 {
                actions[0] = match
            } else {
                boundaries.append(run.lowerBound)
                actions.append(match)
            }
            if run.upperBound < UInt32.max {
                boundaries.append(run.upperBound + 1)
                actions.append(other)
            }
        }
        return search(boundaries[...], actions[...])
    }

    /// Code deciding among `actions` (one more than `boundaries`).
    private static func search(_ boundaries: ArraySlice<UInt32>, _ actions: ArraySlice<UInt32>) -> [SeccompInstruction] {
        guard !boundaries.isEmpty else { return [.ret(actions[actions.startIndex])] }
        let middle = boundaries.startIndex + boundaries.count / 2
        let below = search(boundaries[boundaries.startIndex..<middle], actions[actions.startIndex...(actions.startIndex + (middle - boundaries.startIndex))])
        let above = search(boundaries[(middle + 1)...], actions[(actions.startIndex + (middle - boundaries.startIndex) + 1)...])
        // jge k: true → above, false → below (placed first, so false falls through).
        if below.count <= 255 {
            return [SeccompInstruction(code: SeccompInstruction.jumpGreaterEqual, jt: UInt8(below.count), jf: 0, k: boundaries[middle])]
                + below + above
        }
        // Too far for an 8-bit offset: true goes to a 32-bit `ja` over the lower half.
        return [SeccompInstruction(code: SeccompInstruction.jumpGreaterEqual, jt: 0, jf: 1, k: boundaries[middle]), .jump(UInt32(below.count))]
            + below + above
    }
}
