// What a test can count about this process: open descriptors and child processes.
import Foundation

enum ProcessProbe {
    /// Open file descriptors of this process (entries of /proc/self/fd, minus the one used to list it).
    static func openDescriptorCount() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 1) - 1
    }

    /// PIDs whose parent is this process, with their state letter (Z for zombies).
    static func children() -> [(pid: Int32, state: Character)] {
        let me = getpid()
        var found: [(Int32, Character)] = []
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // Fields after "comm)": state ppid ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, let ppid = Int32(fields[1]), ppid == me else { continue }
            found.append((pid, fields[0].first ?? "?"))
        }
        return found
    }

    static func zombieCount() -> Int { children().filter { $0.state == "Z" }.count }

    /// Whether a process exists (kill(pid, 0) succeeds or fails with EPERM).
    static func exists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}

/// A temporary directory removed at the end of the test.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/skiff-test.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String, contents: String, mode: Int = 0o644) throws -> String {
        let target = path + "/" + name
        try contents.write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target)
        return target
    }
}
