// The pod's device program (docs/security.md "Devices"), loaded and attached on a thread of its
// own while the run process makes the pod's mounts: the kernel's load and attach take 0.2-0.4 ms
// of every pod start here, a third of the whole budget of the secure defaults, and nothing else in
// the set-up depends on them. The thread is joined before the run process forks the init (and
// before any other unshare), so the pod's processes never run without the program and the run
// process is single-threaded again when it forks.
#if canImport(Glibc)
import Glibc
#endif
import SkiffIsolation
import SkiffSystem

/// One device program being attached to a v2 cgroup directory in the background.
final class DeviceProgramLoad: @unchecked Sendable {
    private let directory: String
    private let rules: [DeviceRule]
    /// Written by the thread, read after pthread_join (which orders the two).
    private var failure: Error?
    private var thread = pthread_t()
    private var joined = false

    /// Starts attaching `rules` to `directory`; if no thread can be made, attaches them here.
    init(rules: [DeviceRule], directory: String) throws {
        self.directory = directory
        self.rules = rules
        let started = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<DeviceProgramLoad>.fromOpaque(raw).takeUnretainedValue().attach()
            return nil
        }, Unmanaged.passUnretained(self).toOpaque())
        if started != 0 {
            joined = true
            try CgroupDevices.attach(rules, to: directory)
        }
    }

    private func attach() {
        do {
            try CgroupDevices.attach(rules, to: directory)
        } catch {
            failure = error
        }
    }

    /// Waits for the thread; throws what the attach threw. Once.
    func wait() throws {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
        if let failure { throw failure }
    }

    deinit { try? wait() }
}
