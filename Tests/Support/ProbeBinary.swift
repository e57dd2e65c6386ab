// The probe program put at /probe in test images: built from Tests/Probe/probe.c by the harness
// the first time a test needs it, with the system C compiler, statically linked, and cached, so
// `swift test` alone works (no make step).
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// The statically linked probe binary (see Tests/Probe/probe.c for what it reports).
public enum ProbeBinary {
    /// Where the probe's source is: `$SKIFF_PROBE_SOURCE`, else `Tests/Probe/probe.c` in the
    /// first directory above this source file that has one (the package root).
    public static func sourcePath(from origin: String = #filePath) throws -> String {
        if let explicit = TestEnvironment.value("SKIFF_PROBE_SOURCE") { return explicit }
        var directory = FileSystem.parentPath(origin)
        while directory != "/" && directory != "." {
            let candidate = directory + "/Tests/Probe/probe.c"
            if FileSystem.exists(candidate) { return candidate }
            directory = FileSystem.parentPath(directory)
        }
        throw SkiffError(
            .notFound, "find probe source above \(quote(origin)): no Tests/Probe/probe.c (set SKIFF_PROBE_SOURCE)")
    }

    /// The C compiler: `$CC`, else the first of cc, gcc, clang in PATH, else the Swift
    /// toolchain's clang. Static linking needs glibc's static libraries (Debian: libc6-dev).
    public static func compiler() throws -> String {
        let candidates = [TestEnvironment.value("CC"), "cc", "gcc", "clang", "/opt/swift/usr/bin/clang"]
        for case let name? in candidates {
            if let found = TestEnvironment.which(name) { return found }
        }
        throw SkiffError(.notFound, "find a c compiler for the probe: none of cc, gcc, clang (install gcc)")
    }

    /// The flags the probe is built with (part of the cache key).
    public static let flags = ["-static", "-O2", "-std=gnu11", "-Wall", "-Wextra", "-Werror"]

    /// The probe binary: `$SKIFF_PROBE` (a prebuilt static binary), else the cached build of the
    /// source, compiling it first if this source and compiler were never built.
    public static func path() throws -> String {
        if let prebuilt = TestEnvironment.value("SKIFF_PROBE") {
            guard try StaticBinary.isStatic(prebuilt) else {
                throw SkiffError(.invalid, "use probe \(quote(prebuilt)): dynamically linked (build it with -static)")
            }
            return prebuilt
        }
        let files = try sourceFiles(beside: try sourcePath())
        let cc = try compiler()
        let key = TestCache.key(["probe"] + (try files.flatMap { [FileSystem.baseName($0), try TestCache.fileDigest($0)] }) + [cc] + flags)
        let directory = try TestCache.entry("probe", key: key) { directory in
            try compile(files.filter { $0.hasSuffix(".c") }, with: cc, into: directory + "/probe")
        }
        return directory + "/probe"
    }

    /// The probe's sources: every .c and .h file in the directory of `main` (probe.c), sorted.
    public static func sourceFiles(beside main: String) throws -> [String] {
        let directory = FileSystem.parentPath(main)
        return try FileSystem.list(directory).filter { $0.hasSuffix(".c") || $0.hasSuffix(".h") }.map { directory + "/" + $0 }
    }

    /// Compiles the C files `sources` into `output` and checks the result is static.
    public static func compile(_ sources: [String], with cc: String, into output: String) throws {
        let source = sources.first ?? "probe.c"
        let result = try Subprocess.run([cc] + flags + ["-o", output] + sources)
        guard result.status == 0 else {
            let hint = result.stderrText.contains("-lc") ? " (static libc missing: install libc6-dev)" : ""
            throw SkiffError(
                .system,
                "compile probe \(quote(source)) with \(quote(cc)): exit \(result.status)\(hint): "
                    + result.stderrText.split(separator: "\n").prefix(5).joined(separator: " | "))
        }
        chmod(output, 0o755)
        guard try StaticBinary.isStatic(output) else {
            throw SkiffError(.invalid, "compile probe with \(quote(cc)): the result is dynamically linked")
        }
    }
}
