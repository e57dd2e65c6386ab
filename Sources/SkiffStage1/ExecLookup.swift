// Finding an app's program the way appc says (checklist G.72): a name without "/" is searched in
// the app's PATH, inside the app's root (confined), before the chroot.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// exec[0] lookup appc-style: without "/" searched in the app's PATH inside the root (confined),
/// else used as is; an error names the program and the app.
public enum ExecLookup {
    /// The path to give execve after chroot into `root`. `path` is the app's PATH; relative
    /// entries (and empty ones, POSIX's "current directory") are taken from `workingDirectory`.
    public static func resolve(_ program: String, path: String, root: String, workingDirectory: String = "/", app: String? = nil) throws -> String {
        let subject = (app.map { "app \(quote($0)): " } ?? "") + "exec \(quote(program))"
        guard !program.isEmpty else { throw SkiffError(.invalid, "\(subject): empty program name") }
        if program.contains("/") { return program }
        let confined = try ConfinedRoot(root)
        var sawNotExecutable = false
        for entry in path.split(separator: ":", omittingEmptySubsequences: false) {
            var directory = String(entry)
            if !directory.hasPrefix("/") {
                directory = workingDirectory + (directory.isEmpty ? "" : "/" + directory)
            }
            let candidate = (directory.hasSuffix("/") ? directory : directory + "/") + program
            guard let st = confined.status(candidate), st.st_mode & S_IFMT == S_IFREG else { continue }
            if st.st_mode & 0o111 == 0 {
                sawNotExecutable = true
                continue
            }
            return candidate
        }
        if sawNotExecutable {
            throw SkiffError(.invalid, "\(subject): found in PATH \(quote(path)) inside the app's root, but not executable")
        }
        throw SkiffError(.notFound, "\(subject): not found in PATH \(quote(path)) inside the app's root")
    }
}
