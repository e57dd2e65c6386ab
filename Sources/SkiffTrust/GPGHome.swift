// A throwaway GNUPGHOME in which gpg and gpgv run, so no keyring or agent of the user is touched.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// The programs used; tests point them elsewhere to exercise "not installed".
struct GPGTools: Sendable {
    var gpg = "gpg"
    var gpgv = "gpgv"
    var gpgconf = "gpgconf"
    /// The Debian package that ships each program, for the "not found" message.
    static func package(of program: String) -> String {
        FileSystem.baseName(program) == "gpgv" ? "gpgv" : "gnupg"
    }
}

/// A private (0700) directory used as gpg's home for one operation, removed afterwards.
struct GPGHome {
    let path: String
    let tools: GPGTools
    /// Names the operation in errors: `inspect key "x.asc"`, `verify "example.com/app"`.
    let context: String
    /// Set once a gpg command that may contact gpg-agent has run here.
    private(set) var mayHaveAgent = false

    /// gpg's options for every run: no config file, no user keyrings, no network, no terminal.
    static let gpgOptions = [
        "--batch", "--no-tty", "--no-options", "--no-auto-key-locate", "--no-default-keyring",
        "--no-auto-key-retrieve", "--no-autostart", "--no-permission-warning",
    ]

    /// Creates a home under `parent` (default: `FileSystem.temporaryDirectory`), runs `body` in it
    /// and removes it, also when `body` throws; stops any agent first.
    static func with<T>(
        parent: String?, tools: GPGTools, context: String, _ body: (inout GPGHome) throws -> T
    ) throws -> T {
        let directory = parent ?? FileSystem.temporaryDirectory
        let path: String
        do {
            path = try FileSystem.makeTemporaryDirectory(in: directory, prefix: "skiff-gpg.")
        } catch let error as SkiffError {
            throw SkiffError(error.code, "\(context): \(error.message)", errno: error.errno)
        }
        var home = GPGHome(path: path, tools: tools, context: context)
        defer {
            home.stopAgent()
            try? FileSystem.removeTree(path)
        }
        return try body(&home)
    }

    /// The environment of every run: a C locale (stable messages), this home, no agent or display
    /// variables from the caller, and the caller's PATH so Debian's programs are found.
    var environment: [String: String] {
        var env = ["LANG": "C", "LC_ALL": "C", "GNUPGHOME": path, "HOME": path]
        if let value = getenv("PATH") { env["PATH"] = String(cString: value) } else {
            env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
        }
        return env
    }

    /// Runs gpg with the standard options plus `arguments`.
    mutating func gpg(_ arguments: [String], input: [UInt8]?, mayStartAgent: Bool = false) throws
        -> Subprocess.Output
    {
        if mayStartAgent { mayHaveAgent = true }
        return try run([tools.gpg, "--homedir", path] + Self.gpgOptions + arguments, input: input)
    }

    /// Runs gpgv (which never uses an agent, a trust database or the network) with `arguments`.
    func gpgv(_ arguments: [String]) throws -> Subprocess.Output {
        try run([tools.gpgv, "--homedir", path] + arguments, input: nil)
    }

    /// Runs `argv`; a program that cannot be started is reported as missing, naming its package.
    func run(_ argv: [String], input: [UInt8]?) throws -> Subprocess.Output {
        do {
            return try Subprocess.run(argv, input: input, environment: environment)
        } catch let error as SkiffError where error.errno == ENOENT || error.errno == EACCES {
            let program = FileSystem.baseName(argv[0])
            throw SkiffError(
                .notFound,
                "\(context): \(quote(program)) is not installed (install the \(GPGTools.package(of: program)) package)")
        }
    }

    /// `gpgconf --kill all` and `--remove-socketdir` for this home, if an agent may have been
    /// started. gpg is run with --no-autostart, so this is a safety net; it only runs when a
    /// socket could exist (in this home, or under /run/user/<uid>/gnupg where gpg puts the
    /// sockets of non-default homes in a hashed `d.*` subdirectory that must not be left behind).
    func stopAgent() {
        guard mayHaveAgent else { return }
        let hasSocket = ((try? FileSystem.list(path)) ?? []).contains { $0.hasPrefix("S.") }
        let uid = getuid()
        let runtime = ["/run/user/\(uid)/gnupg", "/var/run/user/\(uid)/gnupg"].contains(where: FileSystem.isDirectory)
        guard hasSocket || runtime else { return }
        _ = try? Subprocess.run([tools.gpgconf, "--homedir", path, "--kill", "all"], environment: environment)
        _ = try? Subprocess.run([tools.gpgconf, "--homedir", path, "--remove-socketdir"], environment: environment)
    }

    /// gpg's complaint without its "gpg: " prefix, for a one-line error: the last line gpg
    /// prefixed with its name (continuation text like gpgv's "Please remember..." is skipped),
    /// ignoring notes about files it created in the throwaway home.
    static func complaint(_ output: Subprocess.Output) -> String {
        let noise = ["WARNING: running with faked system time", "keybox", "trustdb created"]
        var last: String?
        for line in output.stderrText.split(separator: "\n").map(String.init) {
            guard let prefix = ["gpg: ", "gpgv: "].first(where: { line.hasPrefix($0) }) else { continue }
            if noise.contains(where: { line.contains($0) }) { continue }
            last = String(line.dropFirst(prefix.count)).trimmingSpaces()
        }
        return last ?? "exit status \(output.status)"
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines (no Foundation needed).
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
