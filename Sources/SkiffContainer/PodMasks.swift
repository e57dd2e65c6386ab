// The masked and read-only /proc and /sys paths of every app (SkiffIsolation's MaskedPaths: rkt's
// lists plus /proc/sys, /proc/irq, /proc/keys and /proc/timer_list), planned by the run process
// and mounted by the init right after it mounts each app's /proc (which only exists in the pod's
// PID namespace), before pivot_root. Each app's mount namespace is a copy of the init's, so every
// app starts with them. `--insecure-options=paths` lifts them.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffIsolation
import SkiffSystem

/// Every app's masks, as C data the init applies without formatting anything.
final class PodMasks {
    private let paths: [UnsafeMutablePointer<CChar>?]
    private let masks: UnsafeMutableBufferPointer<sk_mask>

    /// The entries for the app roots `roots` (host paths, sysfs mounted, /proc not yet).
    init(roots: [String]) throws {
        var entries: [MaskPlan.Entry] = []
        for root in roots { entries += try PodMasks.plan(root: root) }
        paths = entries.map { strdup($0.path) }
        masks = .allocate(capacity: max(1, entries.count))
        for (index, entry) in entries.enumerated() {
            masks[index] = sk_mask(path: UnsafePointer(paths[index]), kind: PodMasks.kind(entry.kind))
        }
        count = entries.count
    }

    /// How many mounts.
    let count: Int

    deinit {
        paths.forEach { free($0) }
        masks.deallocate()
    }

    /// One app's entries. /sys: what MaskedPaths plans inside the mounted sysfs, but the read-only
    /// binds (the app's sysfs is read-only as a whole) and with the cgroup view kept. /proc: the
    /// paths this kernel's procfs has (looked up in the host's), under the app's /proc.
    static func plan(root: String) throws -> [MaskPlan.Entry] {
        let sys = try MaskedPaths.plan(appRoot: root, except: ["/sys/fs/cgroup"]).entries.filter {
            $0.path.hasPrefix(root + "/sys/") && $0.kind != .readOnly
        }
        var proc: [MaskPlan.Entry] = []
        for (list, hidden) in [(MaskedPaths.extraReadOnly + MaskedPaths.readOnly, false), (MaskedPaths.hidden + MaskedPaths.extraHidden, true)] {
            for path in list where path.hasPrefix("/proc/") {
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                let directory = st.st_mode & S_IFMT == S_IFDIR
                let kind: MaskPlan.Kind = hidden ? (directory ? .hideDirectory : .hideFile) : .readOnly
                proc.append(MaskPlan.Entry(path: root + path, kind: kind, isDirectory: directory))
            }
        }
        return proc + sys
    }

    private static func kind(_ kind: MaskPlan.Kind) -> Int32 {
        switch kind {
        case .readOnly: return Int32(SK_MASK_READONLY.rawValue)
        case .hideFile: return Int32(SK_MASK_HIDE_FILE.rawValue)
        case .hideDirectory: return Int32(SK_MASK_HIDE_DIR.rawValue)
        }
    }

    /// Mounts every mask in the calling process's mount namespace (the init's).
    func apply() throws {
        guard count > 0 else { return }
        var failed = 0
        if sk_masks_apply(masks.baseAddress, count, &failed) < 0 {
            throw SkiffError.system("mask \(quote(String(cString: masks[failed].path)))")
        }
    }
}
