// The networking part of a run request that is not a stage1 flag (the DNS flags and
// --mds-register), kept in the pod directory so that run-prepared applies what prepare was told,
// and the DNS files stage0 writes into the stage1 root from it.
import SkiffNetwork
import SkiffRunOptions
import SkiffStage1

/// `<pod>/network-options`: one `key=value` line per DNS flag value, `mds-register` alone.
struct PodNetworkOptions: Equatable {
    /// The file name in the pod directory (stage0's own file, docs/stage1-abi.md).
    static let fileName = "network-options"

    /// --dns, --dns-search, --dns-opt, --dns-domain, --hosts-entry.
    var dns = DNSOptions()
    /// --mds-register.
    var mdsRegister = false

    /// No option given.
    init() {}

    /// The options of a run/prepare command line.
    init(request: PodRequest) {
        dns = DNSOptions(
            servers: request.dns, search: request.dnsSearch, options: request.dnsOptions, domain: request.dnsDomain,
            hostsEntries: request.hostsEntries)
        mdsRegister = request.mdsRegister
    }

    /// run-prepared's flags for these options (prepare does not take them: run-time flags).
    static let runtimeFlags: [FlagSpec] = [
        FlagSpec("dns", .repeatable(placeholder: "IP|host|none"), help: "a name server for /etc/resolv.conf; host: the host's file; none: not the network's"),
        FlagSpec("dns-search", .repeatable(placeholder: "DOMAIN"), help: "a search domain for /etc/resolv.conf"),
        FlagSpec("dns-opt", .repeatable(placeholder: "OPTION"), help: "a resolv.conf(5) option"),
        FlagSpec("dns-domain", .value(placeholder: "DOMAIN", defaultValue: nil), help: "the domain for /etc/resolv.conf"),
        FlagSpec("hosts-entry", .repeatable(placeholder: "IP=NAME|host"), help: "an /etc/hosts entry; host: the host's file"),
        FlagSpec("mds-register", .bool, help: "register the pod with the metadata service"),
    ]

    /// The options run-prepared was given, checked as run checks them.
    init(_ arguments: ParsedArguments, networks: String?) throws {
        var flags: [(name: String, value: String)] = []
        for name in ["dns", "dns-search", "dns-opt", "dns-domain", "hosts-entry", "mds-register"] {
            flags += (arguments.values[name] ?? []).map { (name, $0) }
        }
        let request = try PodRequestParser.runtimeNetworkFlags(flags, networks: networks.map { $0.split(separator: ",").map(String.init) })
        self.init(request: request)
    }

    /// Whether any option asks for something (a stage1 without pod networking refuses them).
    var isEmpty: Bool { self == PodNetworkOptions() }

    /// The file's lines (values never hold a newline: the run grammar checks them).
    var text: String {
        var lines = dns.servers.map { "dns=\($0)" } + dns.search.map { "dns-search=\($0)" }
        lines += dns.options.map { "dns-opt=\($0)" } + (dns.domain.map { ["dns-domain=\($0)"] } ?? [])
        lines += dns.hostsEntries.map { "hosts-entry=\($0)" } + (mdsRegister ? ["mds-register"] : [])
        return lines.map { $0 + "\n" }.joined()
    }

    /// Writes the file (nothing when no option was given).
    func save(_ paths: PodPaths) throws {
        guard !isEmpty else { return }
        try FileSystem.writeAtomically(paths.root + "/" + Self.fileName, Array(text.utf8), durable: false)
    }

    /// Reads the file; no file means no option.
    static func load(_ paths: PodPaths) throws -> PodNetworkOptions {
        let path = paths.root + "/" + fileName
        var options = PodNetworkOptions()
        guard FileSystem.exists(path) else { return options }
        for line in String(decoding: try FileSystem.read(path, limit: 1 << 20), as: UTF8.self).split(separator: "\n") {
            let (key, value) = line.firstIndex(of: "=").map { (String(line[..<$0]), String(line[line.index(after: $0)...])) }
                ?? (String(line), "")
            switch key {
            case "dns": options.dns.servers.append(value)
            case "dns-search": options.dns.search.append(value)
            case "dns-opt": options.dns.options.append(value)
            case "dns-domain": options.dns.domain = value
            case "hosts-entry": options.dns.hostsEntries.append(value)
            case "mds-register": options.mdsRegister = true
            default: throw SkiffError(.invalid, "read \(quote(path)): unknown line \(quote(String(line)))")
            }
        }
        return options
    }

    /// Writes `skiff/etc/resolv.conf` and `skiff/etc/hosts` into the stage1 root when the
    /// precedence rules (docs/networking.md) give the pod files of its own; the stage1 binds them
    /// over every app's. `--dns=host` and `--hosts-entry=host` copy the host's file as it is now.
    /// Returns the origin of each file ("--dns", "network default", "image", ...) for --debug.
    static func writeDNSFiles(_ options: DNSOptions, info: NetInfo, paths: PodPaths) throws -> [String] {
        let networkDNS = info.networks.compactMap { network in network.parsedResult.map { (network: network.name, dns: $0.dns) } }
        // The stage1 decides about volumes and image files on its own (it leaves them alone when
        // no file is given, and writes rkt's fallback hosts file): only the given files matter here.
        let resolv = DNSConfiguration.resolvConf(
            options, networkDNS: networkDNS, volumeOnFile: false, imageHasFile: true, podDirectory: paths.root)
        let hosts = DNSConfiguration.hosts(options, volumeOnFile: false, imageHasFile: true, podDirectory: paths.root)
        let directory = paths.stage1Rootfs + "/skiff/etc"
        for (name, decision) in [("resolv.conf", resolv), ("hosts", hosts)] {
            let content: [UInt8]
            if let text = decision.content {
                content = Array(text.utf8)
            } else if let source = decision.bindSource {
                content = try FileSystem.read(source, limit: 1 << 20)
            } else {
                continue
            }
            try FileSystem.createDirectory(directory, mode: 0o755)
            try FileSystem.writeAtomically(directory + "/" + name, content, mode: 0o644, durable: false)
        }
        return ["resolv.conf from \(resolv.origin)", "hosts from \(hosts.origin)"]
    }
}
