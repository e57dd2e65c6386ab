// Everything one app's process applies to itself between fork and execve, packed into CShim's
// sk_isolation (C memory that stays put), so a multithreaded stage1 can hand it to
// sk_fork_exec_in_root (sk_exec_attr.isolation) and the child runs only C.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// One app's isolation, ready for a forked child.
///
/// It decides two things the parts alone cannot:
/// - no_new_privs is forced when a filter is installed for a non-root app (without
///   CAP_SYS_ADMIN, seccomp(2) requires it; rkt did the same).
/// - for a root app with a filter but without no_new_privs, CAP_SYS_ADMIN stays in the
///   effective and permitted sets until execve, so the filter can be installed as the very last
///   step; execve then recomputes root's sets from the bounding set, which lacks CAP_SYS_ADMIN
///   unless the plan kept it. So the app never holds it.
public final class PreparedIsolation {
    /// The C struct; valid until this object is released.
    public let pointer: UnsafePointer<sk_isolation>
    /// Whether no_new_privs will be set.
    public let noNewPrivileges: Bool

    private let storage: UnsafeMutablePointer<sk_isolation>
    private let filter: UnsafeMutableBufferPointer<sk_bpf_insn>?
    private let descriptors: UnsafeMutableBufferPointer<Int32>?
    private let masks: UnsafeMutableBufferPointer<sk_mask>?
    private let maskPaths: [UnsafeMutablePointer<CChar>?]
    private let cgroupFiles: [FileDescriptor]

    /// Packs the parts. `uid` is the uid the app runs as (inside its user namespace); `cgroupProcs`
    /// are open cgroup.procs files (CgroupNode.openProcs) the child joins, kept open by this
    /// object; `masks` are mounted in the child before its chroot.
    public init(
        capabilities: CapabilityPlan?, seccomp: SeccompFilter?, noNewPrivileges: Bool, oomScoreAdjust: Int?,
        uid: UInt32, cgroupProcs: [FileDescriptor] = [], masks plan: MaskPlan? = nil
    ) throws {
        if let seccomp, seccomp.architecture != .native {
            throw SkiffError(.invalid, "seccomp filter for \(seccomp.architecture.rawValue): this process runs on \(SeccompArchitecture.native.rawValue)")
        }
        if let value = oomScoreAdjust, !(-1000...1000).contains(value) {
            throw SkiffError(.invalid, "oom_score_adj \(value): out of range -1000...1000")
        }
        let forceNoNewPrivileges = seccomp != nil && SeccompFilter.needsNoNewPrivileges(uid: uid)
        self.noNewPrivileges = noNewPrivileges || forceNoNewPrivileges
        storage = .allocate(capacity: 1)
        storage.initialize(to: sk_isolation())
        pointer = UnsafePointer(storage)
        cgroupFiles = cgroupProcs

        if let seccomp {
            let code = seccomp.cProgram
            let buffer = UnsafeMutableBufferPointer<sk_bpf_insn>.allocate(capacity: code.count)
            _ = buffer.initialize(from: code)
            filter = buffer
            storage.pointee.filter = UnsafePointer(buffer.baseAddress)
            storage.pointee.filter_length = UInt16(code.count)
        } else {
            filter = nil
        }
        if cgroupProcs.isEmpty {
            descriptors = nil
        } else {
            let buffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: cgroupProcs.count)
            _ = buffer.initialize(from: cgroupProcs.map(\.raw))
            descriptors = buffer
            storage.pointee.cgroup_procs = UnsafePointer(buffer.baseAddress)
            storage.pointee.ncgroup_procs = buffer.count
        }
        let entries = plan?.entries ?? []
        maskPaths = entries.map { strdup($0.path) }
        if entries.isEmpty {
            masks = nil
        } else {
            let buffer = UnsafeMutableBufferPointer<sk_mask>.allocate(capacity: entries.count)
            _ = buffer.initialize(from: zip(entries, maskPaths).map { sk_mask(path: UnsafePointer($1), kind: $0.kind.cValue) })
            masks = buffer
            storage.pointee.masks = UnsafePointer(buffer.baseAddress)
            storage.pointee.nmasks = buffer.count
        }
        if let oomScoreAdjust {
            storage.pointee.set_oom_score_adj = 1
            storage.pointee.oom_score_adj = Int32(oomScoreAdjust)
        }
        if let capabilities {
            var effective = capabilities.effective.mask
            var permitted = capabilities.permitted.mask
            if seccomp != nil && !self.noNewPrivileges {
                let admin: UInt64 = 1 << 21  // CAP_SYS_ADMIN, dropped again by execve (see above)
                effective |= admin
                permitted |= admin
            }
            storage.pointee.set_capabilities = 1
            storage.pointee.bounding = capabilities.bounding.mask
            storage.pointee.effective = effective
            storage.pointee.permitted = permitted
            storage.pointee.inheritable = capabilities.inheritable.mask
        }
        storage.pointee.no_new_privs = self.noNewPrivileges ? 1 : 0
    }

    deinit {
        storage.deinitialize(count: 1)
        storage.deallocate()
        filter?.deallocate()
        descriptors?.deallocate()
        masks?.deallocate()
        maskPaths.forEach { free($0) }
    }

    /// Runs both halves in the calling process, without changing its uid (a single-threaded
    /// process about to execve, e.g. a stage1 entrypoint that becomes the app).
    public func applyHere() throws {
        let begin = sk_isolation_begin(pointer)
        if begin != 0 { throw PreparedIsolation.failure(step: begin) }
        let end = sk_isolation_end(pointer)
        if end != 0 { throw PreparedIsolation.failure(step: end) }
    }

    /// The error for a failed sk_isolation step (`step`: enum sk_isolation_step; errno is read
    /// now unless given), e.g. from sk_exec_result.stage − SK_EXEC_ISOLATION.
    public static func failure(step: Int32, errno code: Int32 = Glibc.errno) -> SkiffError {
        let what: String
        switch UInt32(step) {
        case SK_ISOLATION_CGROUP.rawValue: what = "join the app's cgroups"
        case SK_ISOLATION_OOM.rawValue: what = "set oom_score_adj"
        case SK_ISOLATION_MASKS.rawValue: what = "mount the masked and read-only paths"
        case SK_ISOLATION_BOUNDING.rawValue: what = "drop capabilities from the bounding set"
        case SK_ISOLATION_CAPSET.rawValue: what = "set the capabilities"
        case SK_ISOLATION_AMBIENT.rawValue: what = "clear the ambient capabilities"
        case SK_ISOLATION_NO_NEW_PRIVS.rawValue: what = "set no_new_privs"
        case SK_ISOLATION_SECCOMP.rawValue: what = "install the seccomp filter"
        default: what = "isolation step \(step)"
        }
        return SkiffError.system(what, errno: code)
    }
}
