// The pod's /dev (appc OS-SPEC, checklist H.84-89): a tmpfs with the standard nodes only, a
// private devpts instance, a tmpfs /dev/shm and the /proc/self/fd links. Made once per pod in the
// stage1 root and bound into every app, so the apps share /dev/shm (POSIX shared memory goes with
// the IPC namespace they share) and the pseudo-terminals.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffStage1
import SkiffSystem

/// Creates the pod's /dev.
enum PodDevices {
    /// The character devices every app gets: name, major, minor (mode 0666).
    static let nodes: [(name: String, major: UInt32, minor: UInt32)] = [
        ("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0),
    ]

    /// The symlinks: /dev/ptmx into the private devpts, the descriptors through /proc/self/fd.
    static let links: [(name: String, target: String)] = [
        ("ptmx", "pts/ptmx"), ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ]

    /// Every name the pod's /dev holds, sorted (what an app's `ls -A /dev` shows).
    static var names: [String] { (nodes.map(\.name) + links.map(\.name) + ["console", "pts", "shm"]).sorted() }

    /// Mounts and fills `<stage1>/dev`. `console`: the terminal bound on /dev/console; without one
    /// it is a /dev/null node (appc: a pty or /dev/null).
    static func create(in stage1: String, console: String?, reporter: Stage1Reporter) throws {
        let dev = stage1 + "/dev"
        try FileSystem.createDirectory(dev, mode: 0o755)
        // No nodev (it holds the devices), noexec and nosuid; small: it holds no data.
        try check("mount tmpfs on \(quote(dev))") {
            mount("tmpfs", dev, "tmpfs", UInt(MS_NOSUID) | UInt(MS_NOEXEC) | UInt(MS_STRICTATIME), "mode=755,size=64k")
        }
        let directory = try FileDescriptor.open(dev, O_RDONLY | O_DIRECTORY)
        // mknod creates with the umask applied; the modes must be exact.
        let savedMask = umask(0)
        defer { umask(savedMask) }
        for node in nodes {
            try makeNode(node.name, node.major, node.minor, in: directory, reporter: reporter)
        }
        if let console {
            try check("create \(quote(dev + "/console"))") { openat(directory.raw, "console", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600) }
                .closing()
            try Mounts.bind(console, on: dev + "/console", recursive: false, readOnly: false)
        } else {
            try makeNode("console", 1, 3, in: directory, reporter: reporter)
        }
        try check("mkdir \(quote(dev + "/pts"))") { mkdirat(directory.raw, "pts", 0o755) }
        // A private instance: the pod's pseudo-terminals are its own (ptmxmode so that any user
        // can open /dev/ptmx; gid 5 is "tty" by convention, as crun and runc use).
        try check("mount devpts on \(quote(dev + "/pts"))") {
            mount("devpts", dev + "/pts", "devpts", UInt(MS_NOSUID) | UInt(MS_NOEXEC), "newinstance,ptmxmode=0666,mode=0620,gid=5")
        }
        try check("mkdir \(quote(dev + "/shm"))") { mkdirat(directory.raw, "shm", 0o1777) }
        try check("mount tmpfs on \(quote(dev + "/shm"))") {
            mount("shm", dev + "/shm", "tmpfs", UInt(MS_NOSUID) | UInt(MS_NODEV) | UInt(MS_NOEXEC), "mode=1777,size=65536k")
        }
        for link in links {
            try check("symlink \(quote(dev + "/" + link.name)) -> \(quote(link.target))") { symlinkat(link.target, directory.raw, link.name) }
        }
    }

    /// A character device node; where mknod is refused (a device cgroup, a user namespace), the
    /// host's node bound instead.
    private static func makeNode(_ name: String, _ major: UInt32, _ minor: UInt32, in directory: FileDescriptor, reporter: Stage1Reporter) throws {
        if sk_mknodat(directory.raw, name, S_IFCHR | 0o666, major, minor) == 0 { return }
        guard errno == EPERM else { throw SkiffError.system("mknod \(quote(directory.path + "/" + name))") }
        reporter.debug("mknod \(name) refused: binding the host's /dev/\(name)")
        try check("create \(quote(directory.path + "/" + name))") { openat(directory.raw, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0o666) }
            .closing()
        try Mounts.bind("/dev/" + name, on: directory.path + "/" + name, recursive: false, readOnly: false)
    }
}

extension Int32 {
    /// Closes this descriptor (a file created only to be mounted on).
    fileprivate func closing() { close(self) }
}
