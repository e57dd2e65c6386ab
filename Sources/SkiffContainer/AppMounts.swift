// An app's mounts, made by the run process in the pod's mount namespace before the init forks
// (the host paths of volumes are reachable there). The init adds /proc, which must be mounted
// from inside the pod's PID namespace, and makes its own copy of the namespace to pivot_root in;
// each app's own mount namespace, made when it starts, copies that one.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffStage1
import SkiffSystem

/// What the init mounts for an app (host paths, symlinks resolved inside the app's root): a
/// procfs on `proc`, then the kernel's hostname file from it bound on `hostname` (/etc/hostname).
struct AppProcMount {
    let proc: CPath
    let hostnameSource: CPath
    let hostname: CPath
}

/// The mounts of one app's root, in this order: the root bound on itself (a mount of its own, so
/// it can be made read-only per app and an app can remount its / private), /sys (read-only),
/// /dev (the pod's), a tmpfs on /tmp (as fly, unless a volume goes there), the volumes, then
/// /etc/hosts; and the targets of /proc and /etc/hostname for the init (rkt's prepare-app bound
/// /proc/sys/kernel/hostname on /etc/hostname: it always says the UTS name).
enum AppMounts {
    /// Mounts everything `app` needs under `<stage1>/opt/stage2/<app>/rootfs` but /proc.
    static func setUp(_ app: RuntimeApp, launch: PodLaunch, stage1: String, reporter: Stage1Reporter) throws -> AppProcMount {
        let name = app.name.value
        let subject = "app \(quote(name))"
        let root = stage1 + "/opt/stage2/" + name + "/rootfs"
        let mount = try prefixing(subject) { () throws -> AppProcMount in
            try Mounts.bind(root, on: root, recursive: false, readOnly: false)
            let proc = try Mounts.confinedTarget("/proc", in: root, directory: true)
            try Mounts.sysfs(try Mounts.confinedTarget("/sys", in: root, directory: true), readOnly: true)
            try Mounts.bind(stage1 + "/dev", on: try Mounts.confinedTarget("/dev", in: root, directory: true), recursive: true, readOnly: false)
            let volumePaths = Set(app.mounts.map { "/" + $0.path.split(separator: "/").joined(separator: "/") })
            if !volumePaths.contains("/tmp") {
                try Mounts.tmpfs(try Mounts.confinedTarget("/tmp", in: root, directory: true), options: "mode=1777")
            }
            try VolumeMounter.mount(
                app: app, manifest: launch.manifest, paths: launch.paths, appRoot: root, recursiveDefault: true,
                log: { reporter.debug($0) })
            let hostname = try Mounts.confinedTarget("/etc/hostname", in: root, directory: false)
            try EtcFiles.provide(in: root, stage1: stage1, hostname: launch.hostname, reporter: reporter)
            return AppProcMount(proc: CPath(proc), hostnameSource: CPath(proc + "/sys/kernel/hostname"), hostname: CPath(hostname))
        }
        reporter.debug("\(subject): mounts ready in \(quote(root))")
        return mount
    }

    /// Runs `body`, putting `subject` in front of the message of a SkiffError it throws.
    static func prefixing<T>(_ subject: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SkiffError {
            throw SkiffError(error.code, "\(subject): \(error.message)", errno: error.errno)
        }
    }
}

/// /etc/hosts and /etc/resolv.conf as rkt's stage1 gave them. Files stage0 wrote into the stage1
/// root (`skiff/etc/hosts`, `skiff/etc/resolv.conf`: from `--hosts-entry` and `--dns`) are bound
/// over the app's, the pod's hostname added to the hosts file; without them, the image's own
/// files (or ones on a volume) are left alone (appc S.90), and an image without /etc/hosts gets
/// rkt's fallback, with the pod's hostname on 127.0.0.1.
enum EtcFiles {
    /// The fallback /etc/hosts.
    static func fallbackHosts(hostname: String) -> String {
        """
        127.0.0.1 localhost localhost.localdomain localhost4 localhost4.localdomain4 \(hostname)
        ::1 localhost localhost.localdomain localhost6 localhost6.localdomain6

        """
    }

    /// Where stage0's files are, in the stage1 root.
    static func given(_ name: String, stage1: String) -> String { stage1 + "/skiff/etc/" + name }

    /// Adds the pod's hostname to stage0's hosts file, once per pod (as rkt's AddHostsEntry).
    static func prepareGiven(stage1: String, hostname: String) throws {
        let hosts = given("hosts", stage1: stage1)
        guard FileSystem.exists(hosts) else { return }
        var text = String(decoding: try FileSystem.read(hosts), as: UTF8.self)
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        try FileSystem.writeAtomically(hosts, Array((text + "127.0.0.1 \(hostname)\n").utf8), durable: false)
    }

    /// Binds stage0's files, or writes the fallback hosts file into the app's root when it has
    /// none (the root is the pod's own copy: nothing outside the pod changes). Confined to the root.
    static func provide(in root: String, stage1: String, hostname: String, reporter: Stage1Reporter) throws {
        for name in ["resolv.conf", "hosts"] where FileSystem.exists(given(name, stage1: stage1)) {
            let target = try Mounts.confinedTarget("/etc/" + name, in: root, directory: false)
            try Mounts.bind(given(name, stage1: stage1), on: target, recursive: false, readOnly: false)
        }
        if FileSystem.exists(given("hosts", stage1: stage1)) { return }
        let confined = try ConfinedRoot(root)
        if confined.status("/etc/hosts") != nil { return }
        guard errno == ENOENT else { throw SkiffError.system("stat /etc/hosts inside \(quote(root))") }
        let file = try confined.create("/etc/hosts", .file)
        // Reopened through the descriptor's magic link: the file the confined walk made.
        let fd = open("/proc/self/fd/\(file.raw)", O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw SkiffError.system("open /etc/hosts inside \(quote(root))") }
        try FileDescriptor(owning: fd, path: root + "/etc/hosts").write(Array(fallbackHosts(hostname: hostname).utf8))
        reporter.debug("wrote the fallback /etc/hosts inside \(quote(root))")
    }
}
