// Reading and writing cgroupfs interface files, listing and killing member processes, and
// removing cgroup directories leaves first.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

enum CgroupFiles {
    /// Writes `value` and a newline to a cgroup interface file in one write(2), as the kernel
    /// wants (each write is one command: one pid, one device rule). O_APPEND|O_CREAT change
    /// nothing on cgroupfs, and make a plain directory tree standing in for it (tests) keep a
    /// log of every write.
    static func write(_ path: String, _ value: String) throws {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if fd < 0 { throw SkiffError.system("write \(quote(value)) to \(quote(path))") }
        defer { Glibc.close(fd) }
        let bytes = Array((value + "\n").utf8)
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if n < 0 { throw SkiffError.system("write \(quote(value)) to \(quote(path))") }
    }

    /// The file's text without the trailing newline.
    static func read(_ path: String) throws -> String {
        var text = String(decoding: try FileSystem.read(path, limit: 1 << 20), as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// The file's whitespace-separated words.
    static func words(_ path: String, missingIsEmpty: Bool = false) throws -> [String] {
        if missingIsEmpty && !FileSystem.exists(path) { return [] }
        return try read(path).split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    }

    /// PIDs in cgroup.procs of `directory` and of every cgroup below it.
    static func processes(below directory: String) throws -> [pid_t] {
        guard FileSystem.isDirectory(directory) else { return [] }
        var pids = try words(directory + "/cgroup.procs", missingIsEmpty: true).compactMap { pid_t($0) }
        for child in try subgroups(directory) { pids += try processes(below: child) }
        return pids
    }

    /// The child cgroups (subdirectories) of `directory`.
    static func subgroups(_ directory: String) throws -> [String] {
        guard let dir = opendir(directory) else { throw SkiffError.system("list cgroup \(quote(directory))") }
        defer { closedir(dir) }
        var paths: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name != "." && name != ".." else { continue }
            let path = directory + "/" + name
            // cgroupfs gives the entry's type: no stat of every interface file (a cgroup has 20).
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): paths.append(path)
            case Int32(DT_UNKNOWN):
                var st = stat()
                if lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR { paths.append(path) }
            default: break
            }
        }
        return paths.sorted()
    }

    /// rmdir of `directory` after its subgroups; see CgroupNode.remove.
    static func removeTree(_ directory: String, kill: Bool, timeout: Double) throws {
        // The usual case, a leaf whose processes are gone, takes one rmdir (the interface files
        // go with it): no listing. Otherwise (subgroups, processes, a fake tree) the long way.
        if rmdir(directory) == 0 || errno == ENOENT { return }
        guard FileSystem.isDirectory(directory) else { return }
        for child in try subgroups(directory) { try removeTree(child, kill: kill, timeout: timeout) }
        var delay: UInt32 = 500  // µs, doubling up to 50 ms
        var waited = 0.0
        while true {
            if kill {
                for pid in try words(directory + "/cgroup.procs", missingIsEmpty: true).compactMap({ pid_t($0) }) where pid > 0 {
                    Glibc.kill(pid, SIGKILL)
                }
            }
            if rmdir(directory) == 0 { return }
            let failure = errno
            if failure == ENOENT { return }
            if failure == ENOTEMPTY, try removeFakeFiles(directory) { continue }
            guard failure == EBUSY, waited < timeout else {
                throw SkiffError.system("remove cgroup \(quote(directory))", errno: failure)
            }
            usleep(delay)
            waited += Double(delay) / 1_000_000
            delay = min(delay * 2, 50_000)
        }
    }

    /// On cgroupfs rmdir never fails with ENOTEMPTY (interface files go with the directory); a
    /// plain directory tree standing in for it (tests) holds regular files: removes them. True if
    /// there were only such files.
    private static func removeFakeFiles(_ directory: String) throws -> Bool {
        let names = try FileSystem.list(directory)
        for name in names {
            var st = stat()
            guard lstat(directory + "/" + name, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return false }
        }
        for name in names { unlink(directory + "/" + name) }
        return true
    }
}
