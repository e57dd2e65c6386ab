// A pod's network namespace as a file: created with its loopback up, bind-mounted so it outlives
// every process in it (a SIGKILLed stage1 leaves it for gc to tear down), joined by the stage1,
// removed by gc after the CNI DELs.
import CShim
import SkiffSystem
#if canImport(Glibc)
import Glibc
#endif

/// A network namespace kept alive by a bind mount of its nsfs file onto `path`.
///
/// Skiff puts them in `/run/skiff/netns/<pod uuid>`: /run is a tmpfs, so after a reboot (when
/// the namespaces are gone anyway) no stale file remains, and the directory is made a shared
/// mount point (as iproute2 does for /run/netns) so that removing a namespace also removes the
/// copies in mount namespaces created meanwhile as slaves or peers of the host's.
public struct NetworkNamespace: Sendable, Equatable, CustomStringConvertible {
    /// The bind-mounted file; what CNI_NETNS names.
    public let path: String

    /// Where Skiff keeps pod namespaces.
    public static let defaultDirectory = "/run/skiff/netns"

    /// A namespace at `path` (not checked; see `isMounted`).
    public init(path: String) { self.path = path }

    public var description: String { path }

    /// Creates a new namespace with `lo` up at `<directory>/<name>` (name: the pod UUID). The
    /// caller's own namespace does not change. Fails if the file exists already.
    public static func create(in directory: String, name: String) throws -> NetworkNamespace {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else {
            throw SkiffError(.invalid, "create network namespace \(quote(name)): not a plain file name")
        }
        try FileSystem.createDirectory(directory)
        try check("make \(quote(directory)) a shared mount point") { sk_make_shared_mount(directory) }
        let path = directory + "/" + name
        let fd = Glibc.open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        if fd < 0 {
            if errno == EEXIST { throw SkiffError(.invalid, "create network namespace \(quote(path)): exists already") }
            throw SkiffError.system("create network namespace \(quote(path))")
        }
        Glibc.close(fd)
        var stage: Int32 = 0
        if sk_netns_create(path, &stage) < 0 {
            let failure = errno
            unlink(path)
            let step: String
            switch Int(stage) {
            case Int(SK_NETNS_THREAD.rawValue): step = "start a thread"
            case Int(SK_NETNS_UNSHARE.rawValue): step = "unshare"
            case Int(SK_NETNS_LOOPBACK.rawValue): step = "set lo up"
            default: step = "bind-mount"
            }
            throw SkiffError.system("create network namespace \(quote(path)): \(step)", errno: failure)
        }
        return NetworkNamespace(path: path)
    }

    /// Whether `path` is a mounted network namespace right now.
    public var isMounted: Bool {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        return sk_is_netns(fd) == 1
    }

    /// Opens the namespace (for setns, or to hand to a VM monitor).
    public func open() throws -> FileDescriptor {
        let descriptor = try FileDescriptor.open(path, O_RDONLY)
        guard sk_is_netns(descriptor.raw) == 1 else {
            throw SkiffError(.invalid, "open network namespace \(quote(path)): not a network namespace")
        }
        return descriptor
    }

    /// Moves the calling thread into the namespace (setns). For a stage1 about to exec or fork
    /// its supervisor: every process started from this thread afterwards is inside. Code that
    /// must come back should use `perform` instead.
    public func enter() throws {
        let descriptor = try open()
        try check("enter network namespace \(quote(path))") { sk_netns_enter(descriptor.raw) }
    }

    /// Unmounts and deletes the file. Once no process and no other mount holds the namespace,
    /// the kernel frees it and the peer ends of its veths. A missing or already unmounted file
    /// is fine, so gc can run this any number of times.
    public func remove() throws {
        if sk_umount_detach(path) < 0 && errno != EINVAL && errno != ENOENT {
            throw SkiffError.system("unmount network namespace \(quote(path))")
        }
        if unlink(path) < 0 && errno != ENOENT {
            throw SkiffError.system("remove network namespace \(quote(path))")
        }
    }

    /// Runs `body` on a helper thread that has joined the namespace, and waits for it. Sockets
    /// created and programs started inside `body` belong to the namespace; the calling thread
    /// never changes namespace.
    public func perform<T>(_ body: () throws -> T) throws -> T {
        let descriptor = try open()
        var outcome: Result<T, any Error>?
        try withoutActuallyEscaping(body) { escapable in
            let job = NamespaceJob(fd: descriptor.raw) { outcome = Result { try escapable() } }
            try job.run(path: path)
        }
        guard let outcome else { throw SkiffError(.system, "run in network namespace \(quote(path)): no outcome") }
        return try outcome.get()
    }
}

/// One body to run on its own pthread after setns; the thread ends with it, so its namespace
/// never leaks into other work.
private final class NamespaceJob: @unchecked Sendable {
    let fd: Int32
    let body: () -> Void
    var enterError: Int32 = 0

    init(fd: Int32, body: @escaping () -> Void) {
        self.fd = fd
        self.body = body
    }

    func run(path: String) throws {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            let job = Unmanaged<NamespaceJob>.fromOpaque(context).takeRetainedValue()
            if sk_netns_enter(job.fd) < 0 {
                job.enterError = errno
            } else {
                job.body()
            }
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<NamespaceJob>.fromOpaque(context).release()
            throw SkiffError.system("start a thread for network namespace \(quote(path))", errno: rc)
        }
        pthread_join(thread, nil)
        if enterError != 0 { throw SkiffError.system("enter network namespace \(quote(path))", errno: enterError) }
    }
}
