// The masked and read-only /proc and /sys paths of every app (SkiffIsolation's MaskedPaths lists:
// rkt's plus /proc/sys, /proc/irq, /proc/keys and /proc/timer_list), made with as few mounts as
// possible: they are paid by every pod start, and the secure defaults may cost 1 ms in all.
//
// - /sys (run process; the app's sysfs is mounted read-only already, so rkt's read-only /sys paths
//   need nothing): firmware, hypervisor, module and power covered by a bind of an empty directory
//   of that same sysfs (/sys/fs/cgroup, before anything is mounted on it); /sys/fs by a tmpfs that
//   holds only the app's cgroup view (AppIsolation.mountCgroupView).
// - /proc (the init, right after it mounts each app's /proc, which only exists in the pod's PID
//   namespace): the read-only paths bound onto themselves read-only (those below /proc/sys need
//   nothing more), the hidden files covered by /dev/null (reads are empty, writes go nowhere).
// The paths are fixed, in a procfs and a sysfs the stage1 has just mounted (no symlink of anyone's
// can be on the way); a path this kernel lacks is skipped. Each app's mount namespace is a copy of
// the init's, so every app starts with them. `--insecure-options=paths` lifts them.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffIsolation
import SkiffStage1
import SkiffSystem

/// The pod's masks: the /sys parts made at once, the /proc parts as C data for the init.
final class PodMasks {
    /// /proc paths bound read-only (none below another one).
    static let procReadOnly: [String] = {
        let all = (MaskedPaths.extraReadOnly + MaskedPaths.readOnly).filter { $0.hasPrefix("/proc/") }
        return all.filter { path in !all.contains { path.hasPrefix($0 + "/") } }
    }()
    /// /proc files covered by /dev/null.
    static let procHidden = (MaskedPaths.hidden + MaskedPaths.extraHidden).filter { $0.hasPrefix("/proc/") }
    /// /sys directories covered by an empty directory (/sys/fs gets the cgroup view's tmpfs).
    static let sysHidden = MaskedPaths.hidden.filter { $0.hasPrefix("/sys/") && $0 != "/sys/fs" }

    private let null = CPath("/dev/null")
    private let paths: [CPath]
    private let masks: UnsafeMutableBufferPointer<sk_mask>

    /// Covers the hidden /sys directories of the app roots `roots` (host paths, sysfs mounted,
    /// nothing on its /sys/fs/cgroup yet) and prepares their /proc masks for the init.
    init(roots: [String]) throws {
        var proc: [(String, Int32)] = []
        let null = CPath("/dev/null")
        for root in roots {
            let empty = CPath(root + "/sys/fs/cgroup")
            let sys = PodMasks.sysHidden.map { CPath(root + $0) }
            let list = sys.map { sk_mask(path: $0.pointer, kind: Int32(SK_MASK_HIDE_DIR.rawValue)) }
            var failed = 0
            let rc = list.withUnsafeBufferPointer { sk_masks_cover(null.pointer, empty.pointer, $0.baseAddress, $0.count, &failed) }
            if rc < 0 { throw SkiffError.system("mask \(quote(sys[failed].string))") }
            for path in PodMasks.procReadOnly { proc.append((root + path, Int32(SK_MASK_READONLY.rawValue))) }
            for path in PodMasks.procHidden { proc.append((root + path, Int32(SK_MASK_HIDE_FILE.rawValue))) }
        }
        paths = proc.map { CPath($0.0) }
        masks = .allocate(capacity: max(1, proc.count))
        for (index, entry) in proc.enumerated() { masks[index] = sk_mask(path: paths[index].pointer, kind: entry.1) }
    }

    deinit { masks.deallocate() }

    /// The init's part: the /proc masks of every app, in the calling process's mount namespace
    /// (before pivot_root: /dev/null is the host's).
    func apply() throws {
        guard !paths.isEmpty else { return }
        var failed = 0
        if sk_masks_cover(null.pointer, nil, masks.baseAddress, paths.count, &failed) < 0 {
            throw SkiffError.system("mask \(quote(paths[failed].string))")
        }
    }
}
