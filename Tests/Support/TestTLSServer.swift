// An HTTPS server for TLS tests: Python's http.server wrapped in ssl, serving a directory on
// 127.0.0.1. A file "<path>.redirect" makes <path> answer 302 to the URL it contains; every
// request is logged as a JSON line so tests can check the headers that arrived.
#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import SkiffSystem

/// The HTTPS test server. `stop()` it in tearDown.
public final class TestTLSServer {
    /// The port it listens on (ephemeral).
    public let port: Int
    /// `https://127.0.0.1:<port>`.
    public var baseURL: String { "https://127.0.0.1:\(port)" }
    private let process: Subprocess
    private let logFile: String

    /// Serves `root` over TLS with the given certificate; the script and log go to `workDirectory`.
    public init(root: String, certificates: TestCertificates, workDirectory: String) throws {
        let script = workDirectory + "/tls_server.py"
        logFile = workDirectory + "/tls-requests.log"
        try FileSystem.writeAtomically(script, Array(TestTLSServer.script.utf8))
        let out = try Pipe()
        let null = try FileDescriptor.open("/dev/null", O_WRONLY)
        // Debian's interpreter when present: a version manager's shim on PATH is slower and may differ.
        let python = FileSystem.exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        process = try Subprocess.spawn(
            [python, script, root, certificates.certificateFile, certificates.keyFile, logFile],
            stdout: out.write.raw, stderr: null.raw)
        out.write.close()
        // The script prints its port once it listens.
        var fds = [pollfd(fd: out.read.raw, events: Int16(POLLIN), revents: 0)]
        var line: [UInt8] = []
        var byte: [UInt8] = [0]
        while !line.contains(10) {
            guard retryingEINTR({ poll(&fds, 1, 10_000) }) > 0,
                try byte.withUnsafeMutableBytes({ try out.read.read(into: $0) }) == 1
            else { throw SkiffError(.system, "tls test server did not start") }
            line += byte
        }
        guard let port = Int(String(decoding: line.dropLast(), as: UTF8.self)) else {
            throw SkiffError(.system, "tls test server printed no port")
        }
        self.port = port
    }

    deinit { stop() }

    /// Ends the server process and waits for it.
    public func stop() {
        kill(process.pid, SIGTERM)
        _ = try? process.wait()
    }

    /// The requests logged so far: (path with query, lowercased headers).
    public func requests() throws -> [(target: String, headers: [String: String])] {
        struct Entry: Decodable {
            var target: String
            var headers: [String: String]
        }
        guard FileSystem.exists(logFile) else { return [] }
        let text = String(decoding: try FileSystem.read(logFile), as: UTF8.self)
        return try text.split(separator: "\n").map {
            let entry = try JSONDecoder().decode(Entry.self, from: Data($0.utf8))
            return (entry.target, entry.headers)
        }
    }

    private static let script = #"""
        import http.server, json, os, ssl, sys, threading

        root, cert, key, log = sys.argv[1:5]
        lock = threading.Lock()

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=root, **kwargs)

            def log_message(self, *args):
                pass

            def do_GET(self):
                with lock, open(log, "a") as f:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    f.write(json.dumps({"target": self.path, "headers": headers}) + "\n")
                redirect = self.translate_path(self.path) + ".redirect"
                if os.path.isfile(redirect):
                    with open(redirect) as f:
                        location = f.read().strip()
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                super().do_GET()

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        # The handshake happens in each handler thread, so a client that rejects the
        # certificate cannot stall the accept loop.
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#
}
