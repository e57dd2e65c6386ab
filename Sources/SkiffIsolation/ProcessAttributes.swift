// Process attributes the Linux isolators set: no_new_privs (`os/linux/no-new-privileges`) and
// oom_score_adj (`os/linux/oom-score-adj`). These act on the calling process; in the child of a
// multithreaded stage1 use PreparedIsolation instead.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffImage
import SkiffSystem

/// no_new_privs and oom_score_adj of the calling process.
public enum ProcessAttributes {
    /// PR_SET_NO_NEW_PRIVS: from now on execve grants no privilege (setuid bits and file
    /// capabilities are ignored). Irreversible; inherited by children.
    public static func setNoNewPrivileges() throws {
        try check("set no_new_privs") { sk_set_no_new_privs() }
    }

    /// Whether no_new_privs is set (`NoNewPrivs:` in /proc/self/status).
    public static var noNewPrivileges: Bool { sk_get_no_new_privs() == 1 }

    /// Writes /proc/self/oom_score_adj (-1000...1000). Lowering it needs CAP_SYS_RESOURCE.
    public static func setOOMScoreAdjust(_ value: Int) throws {
        guard (-1000...1000).contains(value) else {
            throw SkiffError(.invalid, "oom_score_adj \(value): out of range -1000...1000")
        }
        try check("write /proc/self/oom_score_adj \(value)") { sk_set_oom_score_adj(Int32(value)) }
    }

    /// `os/linux/no-new-privileges` (false when absent).
    public static func noNewPrivileges(isolators: [Isolator]) throws -> Bool {
        for isolator in isolators {
            if case .noNewPrivileges(let flag) = try isolator.interpreted() { return flag }
        }
        return false
    }

    /// `os/linux/oom-score-adj`, or nil when absent.
    public static func oomScoreAdjust(isolators: [Isolator]) throws -> Int? {
        for isolator in isolators {
            if case .oomScoreAdj(let value) = try isolator.interpreted() { return value }
        }
        return nil
    }
}
