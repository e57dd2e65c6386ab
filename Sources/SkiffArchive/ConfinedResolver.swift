// Opening a directory of the tree being extracted with every symlink on the way interpreted as
// if the extraction root were "/" — the way the container will see it — so no path can lead
// outside the root, whatever symlinks earlier entries planted.
#if canImport(Glibc)
import Glibc
#endif
import CShim

/// Resolves paths inside a root: openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) when the kernel
/// has it (Linux 5.6+), else a userspace walk with the same semantics: one component at a time
/// with O_NOFOLLOW, symlinks read and re-resolved against the root ("/" and ".." never leave it),
/// at most 40 links like the kernel.
final class ConfinedResolver {
    /// The root directory (borrowed; the extractor owns it).
    let root: Int32
    /// Whether openat2 is used (false: the userspace walker).
    let usesOpenat2: Bool

    static let maxLinks = 40

    /// Probes openat2 once unless `forceUserspace`; ENOSYS selects the walker.
    init(root: Int32, forceUserspace: Bool) {
        self.root = root
        if forceUserspace {
            usesOpenat2 = false
            return
        }
        let probe = sk_openat2(root, ".", O_PATH | O_DIRECTORY, 0, UInt64(SK_RESOLVE_IN_ROOT | SK_RESOLVE_NO_MAGICLINKS))
        if probe >= 0 { close(probe) }
        usesOpenat2 = !(probe < 0 && errno == ENOSYS)
    }

    /// An O_PATH descriptor of the directory `path` (clean and relative; "" is the root), or -1
    /// with errno (ENOENT: a component is missing, ENOTDIR: one is not a directory, ELOOP: too
    /// many links). The caller closes it.
    func openDirectory(_ path: String) -> Int32 {
        let target = path.isEmpty ? "." : path
        if !usesOpenat2 { return walk(target) }
        var attempts = 0
        while true {
            let fd = sk_openat2(root, target, O_PATH | O_DIRECTORY, 0, UInt64(SK_RESOLVE_IN_ROOT | SK_RESOLVE_NO_MAGICLINKS))
            // EAGAIN: a concurrent rename or mount made the kernel refuse to vouch for the walk.
            if fd >= 0 || (errno != EAGAIN && errno != EINTR) || attempts >= 16 { return fd }
            attempts += 1
        }
    }

    /// The userspace walk: a stack of open directories from the root down, so ".." pops (and
    /// stops at the root) exactly as the kernel's in-root resolution does.
    func walk(_ path: String) -> Int32 {
        var stack: [Int32] = []
        defer { stack.forEach { close($0) } }
        var pending = path.split(separator: "/", omittingEmptySubsequences: true).reversed().map(String.init)
        var links = 0
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." {
                if let fd = stack.popLast() { close(fd) }
                continue
            }
            let fd = openat(stack.last ?? root, component, O_PATH | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 { return -1 }
            var st = stat()
            if fstat(fd, &st) < 0 { return failing(fd) }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                stack.append(fd)
            case S_IFLNK:
                links += 1
                guard links <= Self.maxLinks, let target = readLink(fd) else {
                    close(fd)
                    if links > Self.maxLinks { errno = ELOOP }
                    return -1
                }
                close(fd)
                if target.isEmpty {
                    errno = ENOENT
                    return -1
                }
                if target.utf8.first == 0x2f {
                    stack.forEach { close($0) }
                    stack.removeAll()
                }
                pending += target.split(separator: "/", omittingEmptySubsequences: true).reversed().map(String.init)
            default:
                close(fd)
                errno = ENOTDIR
                return -1
            }
        }
        if let last = stack.popLast() { return last }
        return openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)
    }

    /// The target of the symlink open as `fd` (O_PATH), nil with errno on failure.
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
