// A LaunchSpec turned into CShim's sk_exec_attr once, with every string copied to C memory that
// lives as long as the value: for a process that forks later and must not allocate, format or
// touch much code then (the container stage1's init starting its apps).
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// A launch prepared for C: `attributes` points into memory owned by this object. Fork and use
/// it in the child; never mutate it after a fork.
public final class PreparedExec {
    /// What it starts (for error messages: `AppLauncher.failure`).
    public let spec: LaunchSpec
    /// The attributes sk_fork_exec_in_root, sk_exec_in_root and sk_app_enter_and_exec read.
    public let attributes: UnsafeMutablePointer<sk_exec_attr>
    private var owned: [UnsafeMutableRawPointer] = []

    /// Copies `spec` and `signals` into C memory.
    public init(_ spec: LaunchSpec, signals: SignalSnapshot) {
        self.spec = spec
        attributes = .allocate(capacity: 1)
        attributes.initialize(to: sk_exec_attr())
        let state = UnsafeMutablePointer<sk_signal_state>.allocate(capacity: 1)
        state.initialize(to: signals.state)
        owned.append(UnsafeMutableRawPointer(state))
        attributes.pointee.root = spec.root.flatMap { keep(strdup($0)).map { UnsafePointer($0) } }
        attributes.pointee.cwd = keep(strdup(spec.workingDirectory)).map { UnsafePointer($0) }
        attributes.pointee.set_ids = spec.credentials == nil ? 0 : 1
        attributes.pointee.uid = uid_t(spec.credentials?.uid ?? 0)
        attributes.pointee.gid = gid_t(spec.credentials?.gid ?? 0)
        let groups = spec.credentials?.groups ?? []
        let groupBuffer = UnsafeMutablePointer<gid_t>.allocate(capacity: max(1, groups.count))
        for (index, group) in groups.enumerated() { groupBuffer[index] = gid_t(group) }
        owned.append(UnsafeMutableRawPointer(groupBuffer))
        attributes.pointee.groups = UnsafePointer(groupBuffer)
        attributes.pointee.ngroups = groups.count
        attributes.pointee.path = keep(strdup(spec.path)).map { UnsafePointer($0) }
        attributes.pointee.argv = UnsafePointer(cArray(spec.argv))
        attributes.pointee.envp = UnsafePointer(cArray(spec.environment))
        attributes.pointee.signals = UnsafePointer(state)
        attributes.pointee.inherit_fds = 0
    }

    deinit {
        owned.forEach { free($0) }
        attributes.deallocate()
    }

    /// The error a failed start of this launch means (one line naming the step).
    public func failure(_ result: sk_exec_result) -> SkiffError { AppLauncher.failure(spec, result) }

    /// A NULL-terminated array of C strings, owned.
    private func cArray(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { array[index] = keep(strdup(string)) }
        array[strings.count] = nil
        owned.append(UnsafeMutableRawPointer(array))
        return array
    }

    /// Remembers a malloc'd pointer to free with this object.
    private func keep(_ pointer: UnsafeMutablePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
        if let pointer { owned.append(UnsafeMutableRawPointer(pointer)) }
        return pointer
    }
}
