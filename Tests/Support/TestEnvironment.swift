// Where the harness finds things: the skiff binary under test, the build directory, the cache,
// and who the tests run as. Every location has an environment override.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// The test run's surroundings, read from the environment and /proc.
public enum TestEnvironment {
    /// The value of an environment variable, nil when unset or empty.
    public static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let text = String(cString: raw)
        return text.isEmpty ? nil : text
    }

    /// Runs `body` with `variables` set in this process's environment, then puts back what each
    /// name had before (its value, or unset): later tests see the environment they started with.
    public static func with<T>(_ variables: [String: String], _ body: () throws -> T) rethrows -> T {
        let previous = variables.keys.map { ($0, getenv($0).map { String(cString: $0) }) }
        defer {
            for (name, value) in previous {
                if let value { setenv(name, value, 1) } else { unsetenv(name) }
            }
        }
        for (name, value) in variables { setenv(name, value, 1) }
        return try body()
    }

    /// `$TMPDIR` if absolute, else /tmp: where tests make their temporary directories.
    public static var temporaryDirectory: String { FileSystem.temporaryDirectory }

    /// Whether the tests run with euid 0.
    public static var isRoot: Bool { geteuid() == 0 }

    /// euid 0 outside a user namespace (full-range /proc/self/uid_map): what mounts, namespaces
    /// and cgroups need for real. Root inside a user namespace cannot do all of that.
    public static var isRealRoot: Bool {
        guard isRoot, let map = try? FileSystem.read("/proc/self/uid_map") else { return false }
        let fields = String(decoding: map, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        return fields.count == 3 && fields[0] == "0" && fields[1] == "0" && fields[2] == "4294967295"
    }

    /// The running test executable (`/proc/self/exe` resolved).
    public static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return "" }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The skiff binary under test: `$SKIFF_BIN`, else `skiff` next to the test bundle
    /// (`.build/<config>/skiff`, where `swift build` puts it).
    public static var skiffBinary: String {
        if let explicit = value("SKIFF_BIN") { return explicit }
        return binDirectory + "/skiff"
    }

    /// The directory of the built products: the one holding the test bundle.
    public static var binDirectory: String {
        // The bundle is `<bin>/<Package>PackageTests.xctest` (a file on Linux); its directory is <bin>.
        FileSystem.parentPath(executablePath)
    }

    /// The `.build` directory this test bundle was built in, if it runs from one.
    public static var buildDirectory: String? {
        var path = executablePath
        while path != "/" && path != "." && !path.isEmpty {
            if FileSystem.baseName(path) == ".build" { return path }
            path = FileSystem.parentPath(path)
        }
        return nil
    }

    /// Where built probes and images are kept between runs: `$SKIFF_TEST_CACHE`, else
    /// `<tmp>/skiff-test-cache` (entries are named by a digest of everything that made them, so
    /// a stale entry is never reused; delete the directory to reclaim the space).
    public static var cacheDirectory: String {
        value("SKIFF_TEST_CACHE") ?? temporaryDirectory + "/" + cacheDirectoryName
    }

    /// The cache's name in the temporary directory; leak checks ignore it.
    public static let cacheDirectoryName = "skiff-test-cache"

    /// The first executable named `name` in `$PATH` (or `name` itself if it is a path).
    public static func which(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = value("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 && !FileSystem.isDirectory(candidate) { return candidate }
        }
        return nil
    }
}
