// The appc metadata service (`skiff metadata-service`): pods learn who they are at
// `AC_METADATA_URL/acMetadata/v1/...`, where AC_METADATA_URL = http://<host>:<port>/<token> and
// the token is the pod's secret; engines register pods over a root-only Unix socket with rkt's
// API: PUT /pods/<uuid>?token=T[&ip=A] (pod manifest), PUT /pods/<uuid>/<app> (image manifest),
// DELETE /pods/<uuid>; GET /port tells the TCP port the pods use.
import SkiffImage
import SkiffSystem
#if canImport(Glibc)
import Glibc
#endif

/// A running metadata service: a registration socket and a TCP port for the pods.
public final class MetadataService: Sendable {
    /// Where `skiff metadata-service` listens for registrations.
    public static let defaultSocketPath = "/run/skiff/metadata-svc.sock"
    /// rkt's port.
    public static let defaultPort: UInt16 = 18112

    /// The pods and the signing key.
    public let registry: MetadataRegistry
    /// The TCP port the pods connect to.
    public let port: UInt16
    /// The registration socket.
    public let socketPath: String
    private let servers: [HTTPServer]

    /// Starts serving: registrations on `socketPath` (mode 0600), pods on `address:port` (port
    /// 0: any free port, see `port`).
    public init(socketPath: String = defaultSocketPath, address: String = "0.0.0.0", port: UInt16 = defaultPort) throws {
        let registry = MetadataRegistry()
        let unix = try HTTPListener.unix(socketPath)
        let (tcp, bound) = try HTTPListener.tcp(address, port: port)
        self.registry = registry
        self.port = bound
        self.socketPath = socketPath
        servers = [
            HTTPServer(listener: unix, bodyLimit: 16 << 20) { MetadataService.registration($0, registry, port: bound) },
            HTTPServer(listener: tcp, bodyLimit: 64 << 10) { MetadataService.metadata($0, registry) },
        ]
        for server in servers { try server.start() }
    }

    /// Stops both listeners and removes the socket file.
    public func stop() {
        for server in servers { server.stop() }
        if let st = try? FileSystem.status(socketPath), st.st_mode & S_IFMT == S_IFSOCK { _ = try? FileSystem.removeTree(socketPath) }
    }

    /// AC_METADATA_URL for a pod that reaches the host at `hostAddress`.
    public func url(hostAddress: String, token: String) -> String { "http://\(hostAddress):\(port)/\(token)" }

    static func registration(_ request: HTTPRequest, _ registry: MetadataRegistry, port: UInt16) -> HTTPResponse {
        let segments = request.segments
        // The port the pods connect to: an engine needs it for AC_METADATA_URL.
        if request.method == "GET" && segments == ["port"] { return .text(200, String(port)) }
        guard segments.count >= 2, segments[0] == "pods" else { return .text(404, "no such endpoint") }
        let uuid = segments[1]
        do {
            switch (request.method, segments.count) {
            case ("PUT", 2):
                guard let token = request.query["token"], !token.isEmpty else { return .text(400, "token missing") }
                try registry.register(uuid: uuid, podManifest: request.body, address: request.query["ip"].flatMap { $0.isEmpty ? nil : $0 }, token: token)
                return .text(200, "")
            case ("PUT", 3):
                try registry.registerApp(uuid: uuid, app: segments[2], imageManifest: request.body)
                return .text(200, "")
            case ("DELETE", 2):
                return registry.unregister(uuid: uuid) ? .text(200, "") : .text(404, "pod \(uuid) is not registered")
            default:
                return .text(405, "method \(request.method) not allowed here")
            }
        } catch let error as SkiffError {
            return .text(error.code == .notFound ? 404 : 400, error.description)
        } catch {
            return .text(400, "\(error)")
        }
    }

    static func metadata(_ request: HTTPRequest, _ registry: MetadataRegistry) -> HTTPResponse {
        let segments = request.segments
        guard segments.count >= 4, segments[1] == "acMetadata", segments[2] == "v1" else { return .text(404, "no such endpoint") }
        guard let pod = registry.pod(token: segments[0]) else { return .text(401, "pod not registered") }
        if let expected = pod.address, request.peerAddress != expected {
            return .text(403, "request not from the pod's address")
        }
        let rest = Array(segments[3...])
        if rest == ["pod", "hmac", "sign"] || rest == ["pod", "hmac", "verify"] {
            guard request.method == "POST" else { return .text(405, "use POST") }
            let form = request.form
            guard let content = form["content"], !content.isEmpty else { return .text(400, "content form value not found") }
            if rest[2] == "sign" {
                return .text(200, registry.sign(uuid: pod.uuid, content: Array(content.utf8)) ?? "")
            }
            guard let uuid = form["uuid"], MetadataRegistry.uuidBytes(uuid) != nil else { return .text(400, "uuid field missing or malformed") }
            guard let signature = form["signature"], Base64.decode(signature) != nil else {
                return .text(400, "signature field missing or corrupt")
            }
            let valid = registry.verify(uuid: uuid, content: Array(content.utf8), signature: signature)
            return valid ? .text(200, "") : .text(403, "signature does not match")
        }
        guard request.method == "GET" else { return .text(405, "use GET") }
        switch rest.count >= 1 ? rest[0] : "" {
        case "pod": return podEndpoint(Array(rest.dropFirst()), pod)
        case "apps" where rest.count >= 3: return appEndpoint(rest[1], Array(rest.dropFirst(2)), pod)
        default: return .text(404, "no such endpoint")
        }
    }

    private static func podEndpoint(_ rest: [String], _ pod: RegisteredPod) -> HTTPResponse {
        switch rest {
        case ["manifest"]: return .json(pod.manifestBytes)
        case ["uuid"]: return .text(200, pod.uuid)
        case ["annotations"]: return .json(annotationsJSON(pod.manifest.annotations))
        case _ where rest.count >= 2 && rest[0] == "annotations":
            // Annotation names are AC identifiers: `example.com/key` spans two path segments.
            let name = rest.dropFirst().joined(separator: "/")
            guard let annotation = pod.manifest.annotations.first(where: { $0.name.value == name }) else {
                return .text(404, "pod annotation \(quote(name)) not found")
            }
            return .text(200, annotation.value)
        default: return .text(404, "no such endpoint")
        }
    }

    private static func appEndpoint(_ app: String, _ rest: [String], _ pod: RegisteredPod) -> HTTPResponse {
        guard let runtimeApp = pod.manifest.app(named: app) else { return .text(404, "app \(quote(app)) not found") }
        guard let image = pod.images[app] else { return .text(404, "app \(quote(app)) has no registered image manifest") }
        // Pod-level annotations of the app override the image's (appc: pod wins).
        var merged = image.manifest.annotations
        for annotation in runtimeApp.annotations {
            if let index = merged.firstIndex(where: { $0.name == annotation.name }) { merged[index] = annotation } else { merged.append(annotation) }
        }
        switch rest {
        case ["annotations"]: return .json(annotationsJSON(merged))
        case ["image", "manifest"]: return .json(image.bytes)
        case ["image", "id"]: return .text(200, runtimeApp.image.id.value)
        case _ where rest.count >= 2 && rest[0] == "annotations":
            let name = rest.dropFirst().joined(separator: "/")
            guard let annotation = merged.first(where: { $0.name.value == name }) else {
                return .text(404, "app annotation \(quote(name)) not found")
            }
            return .text(200, annotation.value)
        default: return .text(404, "no such endpoint")
        }
    }

    /// `[{"name":"...","value":"..."}]`, appc's annotation list.
    static func annotationsJSON(_ annotations: [Annotation]) -> [UInt8] {
        JSONValue.array(annotations.map { .object([("name", .string($0.name.value)), ("value", .string($0.value))]) }).encoded(pretty: false)
    }
}
