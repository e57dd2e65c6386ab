// A compiled seccomp filter for one app, and installing it in the calling process.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffImage
import SkiffSystem

/// A seccomp filter: the policy, the architecture and the BPF program.
///
/// The layout is a binary search (`.tree`) by default, chosen by measurement (Linux 6.18, x86_64
/// KVM guest, getpid in a tight loop, 200k calls, best of 3):
/// - an allowed call costs +31-37 ns over no filter under either layout: since Linux 5.11 the
///   kernel caches "always allow" verdicts per syscall number and skips the program; what is
///   left is the seccomp entry path itself;
/// - a denied (errno) call runs the whole program: +18 ns with the tree (135 instructions for
///   the default list), +60-67 ns with one compare per syscall (603 instructions). Older kernels
///   run the program on every call, so there the gap applies to allowed calls too.
/// libseccomp 2.5.4 (Debian's) was measured too: the same +31 ns per allowed call and +13-36 ns
/// per denied one, but 1.2-5 ms to build and load the default list (this: ~32 µs to build a
/// custom set in a release build, the default filter is built once per process), and a
/// shared library more. So Skiff generates its own BPF.
public struct SeccompFilter: Sendable, Equatable {
    /// What the program enforces.
    public var policy: SeccompPolicy { storedPolicy ?? .defaultPolicy }
    /// Nil for the precompiled default (building the policy's name set costs time too).
    private let storedPolicy: SeccompPolicy?
    /// The architecture it was built for.
    public let architecture: SeccompArchitecture
    /// The program.
    public let program: [SeccompInstruction]

    /// The filter for an app's isolators; nil when seccomp is disabled
    /// (`--insecure-options=seccomp`) or the isolators ask for none (`@appc.io/all`).
    public static func build(
        isolators: [Isolator], disabled: Bool, architecture: SeccompArchitecture = .native, layout: SeccompLayout = .tree
    ) throws -> SeccompFilter? {
        if disabled { return nil }
        // The common case, an app without seccomp isolators, is compiled once per process.
        if architecture == .native && layout == .tree && !isolators.contains(where: { $0.name.value.hasPrefix("os/linux/seccomp-") }) {
            return nativeDefault
        }
        guard let policy = try SeccompPolicy.resolve(isolators: isolators) else { return nil }
        return SeccompFilter(policy: policy, architecture: architecture, layout: layout)
    }

    /// rkt's default filter for this architecture, precompiled (SeccompDefaultProgram).
    static let nativeDefault = SeccompFilter(architecture: .native, precompiled: SeccompDefaultProgram.program(.native))

    private init(architecture: SeccompArchitecture, precompiled: [SeccompInstruction]) {
        storedPolicy = nil
        self.architecture = architecture
        program = precompiled
    }

    /// Same policy, architecture and program.
    public static func == (a: SeccompFilter, b: SeccompFilter) -> Bool {
        a.architecture == b.architecture && a.program == b.program && a.policy == b.policy
    }

    /// The filter for an explicit policy.
    public init(policy: SeccompPolicy, architecture: SeccompArchitecture = .native, layout: SeccompLayout = .tree) {
        storedPolicy = policy
        self.architecture = architecture
        self.program = SeccompCompiler.compile(policy, arch: architecture, layout: layout)
    }

    /// The action the filter returns for syscall `name` of its architecture (SeccompAction
    /// values), or nil when the architecture has no such syscall.
    public func action(for name: String) -> UInt32? {
        guard let number = architecture.table.numbers[name] else { return nil }
        return program.evaluate(number: number, arch: architecture.auditArch)
    }

    /// Whether installing the filter needs no_new_privs: always for a non-root process, which
    /// has no CAP_SYS_ADMIN (rkt forced no_new_privs for non-root apps for this reason).
    public static func needsNoNewPrivileges(uid: UInt32) -> Bool { uid != 0 }

    /// Installs the filter on the calling thread, and so on everything it forks or executes from
    /// now on. Irreversible. Needs no_new_privs or CAP_SYS_ADMIN. For the child of a multithreaded
    /// stage1 use PreparedIsolation, which installs it in C as the last step before execve.
    public func install() throws {
        guard architecture == .native else {
            throw SkiffError(.invalid, "seccomp filter for \(architecture.rawValue): this process runs on \(SeccompArchitecture.native.rawValue)")
        }
        let code = cProgram
        let rc = code.withUnsafeBufferPointer { buffer in sk_seccomp_install(buffer.baseAddress, UInt16(buffer.count), 0) }
        if rc < 0 { throw SkiffError.system("install the seccomp filter (\(program.count) instructions)") }
    }

    /// The program as sk_bpf_insn, for PreparedIsolation.
    var cProgram: [sk_bpf_insn] { program.map { sk_bpf_insn(code: $0.code, jt: $0.jt, jf: $0.jf, k: $0.k) } }
}
