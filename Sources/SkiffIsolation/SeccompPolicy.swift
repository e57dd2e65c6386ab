// What a seccomp filter must do, from an app's isolators (rkt.md §5; appc-and-oci.md items 101-103),
// independent of any architecture: allow-list or deny-list, the syscall names, and the action for
// the rest.
import SkiffImage
import SkiffSystem

/// The syscall policy of one app.
///
/// - No seccomp isolator: allow only `@rkt/default-whitelist`; anything else kills the process
///   with SIGSYS (rkt's default).
/// - `os/linux/seccomp-retain-set`: allow only the set plus `@systemd/default-whitelist` (the
///   "minimal engine whitelist": execve, exit, rt_sigreturn, clocks..., which systemd added to
///   every whitelist under rkt). `@appc.io/all` in it: no filter at all.
///   `@appc.io/empty` contributes nothing (unlike rkt, which then fell back to its default).
/// - `os/linux/seccomp-remove-set`: forbid only the set; everything else is allowed.
///   `@appc.io/empty` in it means "the engine's default": allow `@rkt/default-whitelist` minus the
///   set's other names. `@appc.io/all` in it is refused (it would forbid every syscall).
/// - `errno`: forbidden syscalls fail with that errno instead of killing the process.
public struct SeccompPolicy: Sendable, Equatable {
    /// How `syscalls` is read.
    public enum Mode: Sendable, Equatable {
        /// Only `syscalls` are allowed.
        case allowList
        /// Only `syscalls` are forbidden.
        case denyList
    }

    /// allow-list or deny-list.
    public var mode: Mode
    /// Syscall names, groups expanded; names of other architectures included (the compiler skips
    /// them).
    public var syscalls: Set<String>
    /// The errno name forbidden syscalls fail with; nil: the process is killed with SIGSYS.
    public var errnoName: String?

    /// A policy with explicit parts.
    public init(mode: Mode, syscalls: Set<String>, errnoName: String? = nil) {
        self.mode = mode
        self.syscalls = syscalls
        self.errnoName = errnoName
    }

    /// The errno value of `errnoName` on this platform.
    public var errno: Int32? { errnoName.flatMap(LinuxErrno.number) }

    /// rkt's default: `@rkt/default-whitelist`, kill on anything else.
    public static let defaultPolicy = SeccompPolicy(mode: .allowList, syscalls: Set(SeccompGroups.members("@rkt/default-whitelist") ?? []))

    /// The policy for these isolators; nil when they ask for no filtering (`@appc.io/all`).
    /// Throws `.invalid` for an unknown syscall, group or errno name, or for both sets.
    public static func resolve(isolators: [Isolator]) throws -> SeccompPolicy? {
        var chosen: KnownIsolator?
        for isolator in isolators {
            let meaning = try isolator.interpreted()
            switch meaning {
            case .seccompRetain, .seccompRemove:
                if chosen != nil {
                    throw SkiffError(.invalid, "seccomp: more than one seccomp isolator (one retain or one remove set)")
                }
                chosen = meaning
            default: continue
            }
        }
        switch chosen {
        case .seccompRetain(let set, let errno)?:
            try checkErrno(errno)
            if set.contains(SeccompGroups.appcAll) { return nil }
            let names = try expand(set.filter { $0 != SeccompGroups.appcEmpty })
            return SeccompPolicy(mode: .allowList, syscalls: names.union(SeccompGroups.systemdDefault), errnoName: errno)
        case .seccompRemove(let set, let errno)?:
            try checkErrno(errno)
            if set.contains(SeccompGroups.appcAll) {
                throw SkiffError(.invalid, "seccomp remove set: \(quote(SeccompGroups.appcAll)) would forbid every syscall (use a retain set)")
            }
            let names = try expand(set.filter { $0 != SeccompGroups.appcEmpty })
            if set.contains(SeccompGroups.appcEmpty) {
                return SeccompPolicy(mode: .allowList, syscalls: defaultPolicy.syscalls.subtracting(names), errnoName: errno)
            }
            return SeccompPolicy(mode: .denyList, syscalls: names, errnoName: errno)
        default:
            return defaultPolicy
        }
    }

    /// Names and groups to syscall names.
    static func expand(_ set: [String]) throws -> Set<String> {
        var names = Set<String>()
        for item in set {
            if item.hasPrefix("@") {
                guard let members = SeccompGroups.members(item) else {
                    throw SkiffError(.invalid, "seccomp group \(quote(item)): unknown (known: \(SeccompGroups.names.joined(separator: ", ")))")
                }
                names.formUnion(members)
            } else {
                guard SyscallTable.isKnown(item) else { throw SkiffError(.invalid, "seccomp: unknown syscall \(quote(item))") }
                names.insert(item)
            }
        }
        return names
    }

    private static func checkErrno(_ name: String?) throws {
        if let name, LinuxErrno.number(name) == nil { throw SkiffError(.invalid, "seccomp errno \(quote(name)): unknown") }
    }
}
