// What the stub records about how it was started, as JSON.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffStage1
import SkiffSystem

/// The facts a stage0 contract test checks: argv, cwd, the SKIFF_* variables (and TERM, PATH),
/// the lock descriptor's state, and every descriptor open at start.
enum StubRecord {
    /// The record file of an entrypoint, in the pod directory (the cwd).
    static func fileName(_ operation: Stage1Entrypoint) -> String {
        operation == .run ? "stub-record.json" : "stub-record-\(operation.rawValue).json"
    }

    /// The descriptors open in this process, ascending (without the one used to list them).
    static func openDescriptors() -> [Int32] {
        guard let dir = opendir("/proc/self/fd") else { return [] }
        defer { closedir(dir) }
        let own = dirfd(dir)
        var result: [Int32] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name), fd != own { result.append(fd) }
        }
        return result.sorted()
    }

    /// The record as JSON.
    static func make(operation: Stage1Entrypoint, argv: [String], cwd: String, environment: [String: String], fds: [Int32]) -> JSONValue {
        let selected = environment.filter { $0.key.hasPrefix("SKIFF_") || $0.key == "TERM" || $0.key == "PATH" }
        return .object([
            ("entrypoint", .string(operation.rawValue)),
            ("argv", .array(argv.map { .string($0) })),
            ("cwd", .string(cwd)),
            ("pid", .number(Double(getpid()))),
            ("uid", .number(Double(getuid()))),
            ("environment", .object(selected.mapValues { JSONValue.string($0) })),
            ("lock", lock(environment[Stage1Contract.lockFDVariable], podDirectory: cwd)),
            ("fds", .array(fds.map { .number(Double($0)) })),
        ])
    }

    /// The state of the SKIFF_LOCK_FD descriptor: null when the variable is not set.
    static func lock(_ value: String?, podDirectory: String) -> JSONValue {
        guard let value else { return .null }
        guard let fd = Int32(value), fd >= 0 else { return .object([("value", .string(value)), ("valid", .bool(false))]) }
        let flags = fcntl(fd, F_GETFD)
        var st = stat()
        var pod = stat()
        let isOpen = flags >= 0 && fstat(fd, &st) == 0
        let isDirectory = isOpen && st.st_mode & S_IFMT == S_IFDIR
        let isPod = isDirectory && stat(podDirectory, &pod) == 0 && pod.st_dev == st.st_dev && pod.st_ino == st.st_ino
        return .object([
            ("value", .string(value)),
            ("valid", .bool(isPod)),
            ("open", .bool(isOpen)),
            ("closeOnExec", .bool(isOpen && flags & FD_CLOEXEC != 0)),
            ("directory", .bool(isDirectory)),
            ("podDirectory", .bool(isPod)),
            ("holdsLock", .bool(isPod && LockHandover.holdsLock(fd, podDirectory: podDirectory))),
        ])
    }

    /// Writes the record atomically into the pod directory.
    static func write(_ record: JSONValue, operation: Stage1Entrypoint, podDirectory: String) throws {
        try FileSystem.writeAtomically(podDirectory + "/" + fileName(operation), Array((record.description + "\n").utf8))
    }
}
