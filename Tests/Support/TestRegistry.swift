// Debian's docker-registry (distribution 2.8) on 127.0.0.1 with a free port and a temporary
// storage directory, optionally behind htpasswd basic auth or a token service; images pushed to
// it with the real skopeo from OCI layouts the tests build. Started and stopped by PID.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SkiffSystem
import XCTest

/// A running docker-registry. `stop()` it (tearDown); deinit stops it too.
public final class TestRegistry {
    /// How clients must authenticate.
    public enum Auth {
        case none
        /// htpasswd (bcrypt) basic auth with one user.
        case basic(user: String, password: String)
        /// Bearer tokens from `TestTokenServer`.
        case token(TestTokenServer)
    }

    /// The port it listens on.
    public let port: Int
    /// "127.0.0.1:<port>": the registry part of image names.
    public var host: String { "127.0.0.1:\(port)" }
    /// The directory holding the config, the storage and the log.
    public let directory: String
    private var process: Subprocess?

    /// Starts a registry. Throws XCTSkip when docker-registry is not installed.
    public init(auth: Auth = .none) throws {
        guard let binary = TestEnvironment.which("docker-registry") else {
            throw XCTSkip("docker-registry is not installed (ci/install-deps check)")
        }
        directory = try makeTemporaryDirectory("skiff-registry")
        port = try Self.freePort()
        var config = """
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: \(directory)/storage
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(port)
              secret: skiff-test-secret

            """
        switch auth {
        case .none: break
        case .basic(let user, let password):
            let line = try Subprocess.run(["htpasswd", "-Bbn", user, password])
            guard line.status == 0 else { throw TestSupportError("htpasswd: \(line.stderrText) (install apache2-utils)") }
            try FileSystem.writeAtomically(directory + "/htpasswd", line.stdout)
            config += "auth:\n  htpasswd:\n    realm: skiff-test\n    path: \(directory)/htpasswd\n"
        case .token(let server):
            config += """
                auth:
                  token:
                    realm: \(server.realm)
                    service: \(server.service)
                    issuer: \(server.issuer)
                    rootcertbundle: \(server.certificateFile)

                """
        }
        try FileSystem.writeAtomically(directory + "/config.yml", Array(config.utf8))
        let log = try FileDescriptor.open(directory + "/registry.log", O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        process = try Subprocess.spawn([binary, "serve", directory + "/config.yml"], stdout: log.raw, stderr: log.raw)
        try waitUntilListening()
    }

    deinit { stop() }

    /// Stops the registry (SIGTERM, then waits) and removes its directory.
    public func stop() {
        if let process {
            kill(process.pid, SIGTERM)
            _ = try? process.wait()
            self.process = nil
        }
        try? FileSystem.removeTree(directory)
    }

    /// Pushes `source` (a containers-image reference such as `oci:/dir:ref`) to
    /// `<host>/<repository>:<tag>` with skopeo; `all` copies every image of an index; `format`
    /// converts the manifests (`v2s2`: Docker schema 2, an index becoming a manifest list).
    public func push(
        _ source: String, to repository: String, tag: String, credentials: (String, String)? = nil, all: Bool = false,
        format: String? = nil
    ) throws {
        guard let skopeo = TestEnvironment.which("skopeo") else { throw XCTSkip("skopeo is not installed (ci/install-deps check)") }
        var argv = [skopeo, "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false"]
        if all { argv.append("--all") }
        if let format { argv.append("--format=\(format)") }
        if let (user, password) = credentials { argv.append("--dest-creds=\(user):\(password)") }
        argv += [source, "docker://\(host)/\(repository):\(tag)"]
        // skopeo keeps nothing between runs here: its auth file and caches go under our directory.
        let environment = ["HOME": directory, "XDG_RUNTIME_DIR": directory, "PATH": TestEnvironment.value("PATH") ?? "/usr/bin:/bin"]
        let result = try Subprocess.run(argv, environment: environment)
        guard result.status == 0 else { throw TestSupportError("skopeo copy \(source): \(result.stderrText)") }
    }

    /// `GET /v2/<repository>/manifests/<reference>` as a client accepting every manifest type
    /// would: the Content-Type the registry answers (what a test pushed, seen from outside).
    public func manifestType(_ repository: String, _ reference: String) throws -> String {
        let accept = [
            "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json",
        ].joined(separator: ", ")
        let result = try Subprocess.run([
            "curl", "--silent", "--show-error", "--fail", "--output", "/dev/null", "--write-out", "%{content_type}",
            "--header", "Accept: " + accept, "http://\(host)/v2/\(repository)/manifests/\(reference)",
        ])
        guard result.status == 0 else { throw TestSupportError("curl the manifest \(repository):\(reference): \(result.stderrText)") }
        return result.stdoutText
    }

    /// The log the registry wrote (for failure messages).
    public var logText: String { (try? FileSystem.read(directory + "/registry.log")).map { String(decoding: $0, as: UTF8.self) } ?? "" }

    private func waitUntilListening() throws {
        for _ in 0..<200 {
            if Self.canConnect(port) { return }
            if let process, Self.hasExited(process.pid) {
                throw TestSupportError("docker-registry exited with \((try? process.wait()) ?? -1): \(logText)")
            }
            usleep(25_000)  // polling a port has no event to wait on
        }
        throw TestSupportError("docker-registry did not listen on \(port) within 5 s: \(logText)")
    }

    /// An ephemeral port nobody listens on now (the kernel picks it; the registry binds it next).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SkiffError.system("socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw SkiffError.system("bind 127.0.0.1:0") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether `pid` is a zombie (exited, not yet reaped) or gone.
    static func hasExited(_ pid: pid_t) -> Bool {
        guard let stat = try? FileSystem.read("/proc/\(pid)/stat") else { return true }
        let text = String(decoding: stat, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return false }
        return text[text.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
