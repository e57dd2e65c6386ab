// Resolving paths inside a root as a process chrooted there would: every symlink, "/" and ".."
// interpreted with the root as "/". The stage1s use it for an app's root (an image's symlink can
// never make them, running as host root, read, stat or create a host file), the extractor for
// the tree it writes (no entry can lead outside it, whatever symlinks earlier entries planted).
#if canImport(Glibc)
import Glibc
#endif
import CShim

/// A root directory and in-root path resolution: openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
/// for lookups (Linux 5.6+), and a userspace walk with the same semantics, used where the kernel
/// lacks openat2 and for creating missing components (openat2 cannot create directories).
public final class ConfinedRoot {
    /// The root as given.
    public let path: String
    /// An O_PATH descriptor of the root.
    let root: FileDescriptor
    /// false: always walk in userspace (tests, or a kernel without openat2).
    public let usesOpenat2: Bool

    static let maxLinks = 40

    /// What the walk creates when a component is missing.
    public enum Creation: Sendable {
        /// Nothing: a missing component is ENOENT.
        case none
        /// Missing directories, the last one included (mode 0755, owner 0:0 when root).
        case directory
        /// Missing directories, then an empty regular file as the last component (0644, 0:0).
        case file
    }

    /// Opens the root. `forceUserspace` selects the walk even where openat2 exists (tests).
    public convenience init(_ path: String, forceUserspace: Bool = false) throws {
        try self.init(root: try FileDescriptor.open(path, SK_O_PATH | O_DIRECTORY), forceUserspace: forceUserspace)
    }

    /// Borrows the open directory `fd` as the root (a close-on-exec duplicate is kept).
    public convenience init(descriptor fd: Int32, path: String, forceUserspace: Bool = false) throws {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 3)
        guard copy >= 0 else { throw SkiffError.system("duplicate the descriptor of \(quote(path))") }
        try self.init(root: FileDescriptor(owning: copy, path: path), forceUserspace: forceUserspace)
    }

    private init(root: FileDescriptor, forceUserspace: Bool) throws {
        path = root.path
        self.root = root
        usesOpenat2 = forceUserspace ? false : Self.kernelResolves(in: root.raw)
    }

    /// Whether openat2 works here (ENOSYS before Linux 5.6).
    private static func kernelResolves(in root: Int32) -> Bool {
        let probe = sk_openat2(root, ".", SK_O_PATH | O_DIRECTORY, 0, UInt64(SK_RESOLVE_IN_ROOT | SK_RESOLVE_NO_MAGICLINKS))
        if probe >= 0 { close(probe) }
        return !(probe < 0 && errno == ENOSYS)
    }

    /// An O_PATH descriptor of the directory `inside` ("" is the root), or -1 with errno
    /// (ENOENT: a component is missing, ENOTDIR: one is not a directory, ELOOP: too many links).
    /// The caller closes it. The extractor's hot path: a raw descriptor, no allocation.
    public func openDirectory(_ inside: String) -> Int32 {
        if usesOpenat2 { return openat2(inside, SK_O_PATH | O_DIRECTORY) }
        let fd = walk(inside, creating: .none)
        guard fd >= 0 else { return -1 }
        var st = stat()
        if fstat(fd, &st) < 0 { return failing(fd) }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            close(fd)
            errno = ENOTDIR
            return -1
        }
        return fd
    }

    /// An O_PATH descriptor of `inside` (absolute or relative, seen from the root), following
    /// symlinks inside the root; nil with errno when it does not resolve.
    public func openPath(_ inside: String) -> FileDescriptor? {
        let fd = usesOpenat2 ? openat2(inside, SK_O_PATH) : walk(inside, creating: .none)
        return fd < 0 ? nil : FileDescriptor(owning: fd, path: path + "/" + inside)
    }

    /// The contents of the regular file `inside`, or nil if it does not resolve (errno set).
    public func read(_ inside: String, limit: Int = 16 << 20) throws -> [UInt8]? {
        let fd: Int32
        if usesOpenat2 {
            fd = openat2(inside, O_RDONLY)
        } else {
            let pathFD = walk(inside, creating: .none)
            guard pathFD >= 0 else { return nil }
            // Reopen through the descriptor's magic link: the file the walk found, not a new lookup.
            fd = Glibc.open("/proc/self/fd/\(pathFD)", O_RDONLY | O_CLOEXEC)
            close(pathFD)
        }
        guard fd >= 0 else { return nil }
        return try FileDescriptor(owning: fd, path: path + "/" + inside).readAll(limit: limit)
    }

    /// fstat of what `inside` resolves to; nil with errno when it does not resolve.
    public func status(_ inside: String) -> stat? {
        guard let fd = openPath(inside) else { return nil }
        var st = stat()
        return fstat(fd.raw, &st) == 0 ? st : nil
    }

    /// Resolves `inside`, creating what is missing as `creating` says; throws naming the path.
    public func create(_ inside: String, _ creating: Creation) throws -> FileDescriptor {
        let fd = walk(inside, creating: creating)
        guard fd >= 0 else { throw SkiffError.system("resolve \(quote(inside)) inside \(quote(path))") }
        return FileDescriptor(owning: fd, path: path + "/" + inside)
    }

    /// The host path of an open descriptor (what the kernel resolved; no symlink left in it).
    public static func hostPath(of fd: FileDescriptor) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/fd/\(fd.raw)", &buffer, buffer.count - 1)
        guard n > 0 else { throw SkiffError.system("readlink /proc/self/fd/\(fd.raw) (\(quote(fd.path)))") }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func openat2(_ inside: String, _ flags: Int32) -> Int32 {
        let relative = inside.isEmpty ? "." : inside
        var attempts = 0
        while true {
            let fd = sk_openat2(root.raw, relative, flags, 0, UInt64(SK_RESOLVE_IN_ROOT | SK_RESOLVE_NO_MAGICLINKS))
            // EAGAIN: a concurrent rename or mount made the kernel refuse to vouch for the walk.
            if fd >= 0 || (errno != EAGAIN && errno != EINTR) || attempts >= 16 { return fd }
            attempts += 1
        }
    }

    /// The userspace walk: a stack of open directories from the root down, so ".." pops (and stops
    /// at the root) and an absolute symlink restarts at the root, as the kernel's in-root
    /// resolution does. Returns an O_PATH descriptor of the target, or -1 with errno.
    func walk(_ inside: String, creating: Creation) -> Int32 {
        var stack: [Int32] = []
        defer { stack.forEach { close($0) } }
        var pending = components(inside)
        var links = 0
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." {
                if let fd = stack.popLast() { close(fd) }
                continue
            }
            let parent = stack.last ?? root.raw
            var fd = openat(parent, component, SK_O_PATH | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 && errno == ENOENT && creating != .none {
                guard make(component, in: parent, file: creating == .file && pending.isEmpty) else { return -1 }
                fd = openat(parent, component, SK_O_PATH | O_NOFOLLOW | O_CLOEXEC)
            }
            if fd < 0 { return -1 }
            var st = stat()
            if fstat(fd, &st) < 0 { return failing(fd) }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                stack.append(fd)
            case S_IFLNK:
                links += 1
                let target = readLink(fd)
                close(fd)
                guard links <= Self.maxLinks else {
                    errno = ELOOP
                    return -1
                }
                guard let target, !target.isEmpty else {
                    errno = ENOENT
                    return -1
                }
                if target.utf8.first == UInt8(ascii: "/") {
                    stack.forEach { close($0) }
                    stack.removeAll()
                }
                pending += components(target)
            default:
                // Something else than a directory: it must be the last component.
                guard pending.isEmpty else {
                    close(fd)
                    errno = ENOTDIR
                    return -1
                }
                return fd
            }
        }
        if let last = stack.popLast() { return last }
        return openat(root.raw, ".", SK_O_PATH | O_DIRECTORY | O_CLOEXEC)
    }

    /// Creates `name` in `parent`: a directory 0755, or an empty file 0644; owned 0:0 when the
    /// stage1 is root (so the mode does not depend on the umask or on setgid parents).
    private func make(_ name: String, in parent: Int32, file: Bool) -> Bool {
        if file {
            let fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd < 0 { return errno == EEXIST }
            close(fd)
        } else if mkdirat(parent, name, 0o755) < 0 {
            return errno == EEXIST  // created meanwhile: the retry opens it
        }
        if geteuid() == 0 { _ = fchownat(parent, name, 0, 0, AT_SYMLINK_NOFOLLOW) }
        _ = fchmodat(parent, name, file ? 0o644 : 0o755, 0)
        return true
    }

    private func components(_ text: String) -> [String] {
        text.split(separator: "/", omittingEmptySubsequences: true).reversed().map(String.init)
    }

    private func readLink(_ fd: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(fd, "", &buffer, buffer.count - 1)
        if n < 0 { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func failing(_ fd: Int32) -> Int32 {
        let saved = errno
        close(fd)
        errno = saved
        return -1
    }
}
