// `--port=NAME:[HOSTIP:]HOSTPORT`: a host port forwarded to an app port found by name in the pod's
// image manifests (Docker images' ports are named `80-tcp`), turned into the `portMappings` the
// portmap plugin takes.
import SkiffImage
import SkiffSystem

/// One forwarded port, in the portmap plugin's `runtimeConfig.portMappings` form.
public struct PortMapping: Sendable, Equatable {
    public var hostPort: UInt16
    public var containerPort: UInt16
    /// "tcp", "udp" or "sctp".
    public var `protocol`: String
    /// Only connections to this host address are forwarded; nil: any local address.
    public var hostIP: String?

    /// A mapping from its parts.
    public init(hostPort: UInt16, containerPort: UInt16, protocol: String, hostIP: String? = nil) {
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.protocol = `protocol`
        self.hostIP = hostIP
    }

    /// `{"hostPort":8080,"containerPort":80,"protocol":"tcp"[,"hostIP":"..."]}`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("hostPort", .number(Double(hostPort))), ("containerPort", .number(Double(containerPort))),
            ("protocol", .string(`protocol`)),
        ]
        if let hostIP { members.append(("hostIP", .string(hostIP))) }
        return .object(members)
    }

    /// Reads the JSON form back (from net-info.json).
    public init?(json: JSONValue) {
        guard let host = json["hostPort"]?.numberValue, let container = json["containerPort"]?.numberValue,
            let proto = json["protocol"]?.stringValue, (1...65535).contains(host), (1...65535).contains(container)
        else { return nil }
        self.init(hostPort: UInt16(host), containerPort: UInt16(container), protocol: proto, hostIP: json["hostIP"]?.stringValue)
    }
}

/// Matching `--port` requests to the apps' declared ports.
public enum PortForwarding {
    /// The protocols portmap forwards.
    public static let protocols: Set<String> = ["tcp", "udp", "sctp"]

    /// The mappings for `requests` (the pod manifest's `ports`, from `--port`), each matched by
    /// name to exactly one port of one app. A port with `count` > 1 forwards the whole range.
    /// Errors name the request.
    public static func mappings(for requests: [ExposedPort], apps: [(name: String, ports: [Port])]) throws -> [PortMapping] {
        var mappings: [PortMapping] = []
        for request in requests {
            let name = request.name.value
            let owners = apps.flatMap { app in app.ports.filter { $0.name.value == name }.map { (app.name, $0) } }
            guard let (_, port) = owners.first else {
                let known = apps.flatMap { $0.ports.map(\.name.value) }
                let list = known.isEmpty ? "the apps declare no ports" : "ports: \(known.joined(separator: ", "))"
                throw SkiffError(.notFound, "--port=\(name):\(request.hostPort): no app of the pod has a port named \(quote(name)) (\(list))")
            }
            guard owners.count == 1 else {
                throw SkiffError(
                    .invalid, "--port=\(name):\(request.hostPort): apps \(owners.map { quote($0.0) }.joined(separator: " and ")) both declare port \(quote(name))")
            }
            let proto = port.protocol.lowercased()
            guard protocols.contains(proto) else {
                throw SkiffError(.invalid, "--port=\(name):\(request.hostPort): protocol \(quote(port.protocol)) cannot be forwarded (tcp, udp, sctp)")
            }
            let count = Int(port.count)
            guard Int(request.hostPort) + count - 1 <= 65535 else {
                throw SkiffError(.invalid, "--port=\(name):\(request.hostPort): the range of \(count) ports goes past 65535")
            }
            for offset in 0..<count {
                let mapping = PortMapping(
                    hostPort: request.hostPort + UInt16(offset), containerPort: port.port + UInt16(offset), protocol: proto,
                    hostIP: request.hostIP)
                if mappings.contains(where: { $0.hostPort == mapping.hostPort && $0.protocol == proto && ($0.hostIP == nil || mapping.hostIP == nil || $0.hostIP == mapping.hostIP) }) {
                    throw SkiffError(.invalid, "--port=\(name):\(request.hostPort): host port \(mapping.hostPort)/\(proto) is forwarded twice")
                }
                mappings.append(mapping)
            }
        }
        return mappings
    }

    /// The appc port a Docker/OCI `ExposedPorts` key (`80/tcp`, `53/udp`, or `8080`, tcp by
    /// default) becomes: named `80-tcp`, as docker2aci named them, so `--port=80-tcp:8080` works.
    public static func dockerPort(_ key: String) throws -> Port {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let number = UInt16(parts[0]), number > 0 else {
            throw SkiffError(.invalid, "exposed port \(quote(key)): not PORT[/PROTOCOL]")
        }
        let proto = parts.count == 2 ? parts[1].lowercased() : "tcp"
        guard protocols.contains(proto) else { throw SkiffError(.invalid, "exposed port \(quote(key)): unknown protocol") }
        do {
            return Port(name: try ACName(validating: "\(number)-\(proto)"), protocol: proto, port: number)
        } catch {
            throw SkiffError(.invalid, "exposed port \(quote(key)): \(error)")
        }
    }
}
