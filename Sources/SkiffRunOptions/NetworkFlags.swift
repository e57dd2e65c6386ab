// Networking flags of `run`: --net (rkt's list syntax `NET[:K=V;K2=V2],...`), --dns*,
// --hosts-entry and --port. Forms are checked here; meaning (CNI, resolv.conf) comes later.
import SkiffImage
import SkiffSystem

extension ParserState {
    mutating func applyNetworkFlag(_ name: String, _ value: String) throws {
        switch name {
        case "net":
            let entries = try checked(name, value) { () throws(FlagProblem) in try NetworkForms.networks(value) }
            var networks = request.networks ?? []
            for entry in entries {
                guard !networks.contains(where: { NetworkOption(entry: $0).name == entry.name }) else {
                    throw error(name, value, "network \(quote(entry.name)) given twice")
                }
                networks.append(entry.entry)
            }
            request.networks = networks
        case "dns":
            if value == "host" || value == "none" {
                request.dns.append(value)
                return
            }
            for address in value.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard ValueForms.isIPAddress(address) else {
                    throw error(name, value, "\(quote(address)) is not an IP address (nor host or none)")
                }
                request.dns.append(address)
            }
        case "dns-search": request.dnsSearch.append(try word(name, value))
        case "dns-opt": request.dnsOptions.append(try word(name, value))
        case "dns-domain": request.dnsDomain = try word(name, value)
        case "hosts-entry":
            if value == "host" {
                request.hostsEntries.append(value)
                return
            }
            for entry in value.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard let (address, host) = ValueForms.assignment(entry) else {
                    throw error(name, value, "\(quote(entry)) is not IP=NAME (nor host)")
                }
                guard ValueForms.isIPAddress(address) else { throw error(name, value, "\(quote(address)) is not an IP address") }
                guard ValueForms.isHostName(host) else { throw error(name, value, "\(quote(host)) is not a valid host name") }
                request.hostsEntries.append(entry)
            }
        default:
            throw error("--\(name) is not handled (internal error)")
        }
    }

    /// A value without blanks (resolv.conf words).
    private func word(_ name: String, _ value: String) throws -> String {
        guard !value.isEmpty, !value.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) else {
            throw error(name, value, "must be one word")
        }
        return value
    }

    /// Combinations rkt refused (plus host/none with other networks, which rkt left to stage1).
    func checkNetworking() throws {
        let names = request.networkOptions?.map(\.name) ?? []
        for special in ["host", "none"] where names.contains(special) && names.count > 1 {
            throw error("--net=\(special) cannot be combined with other networks")
        }
        if !request.ports.isEmpty, let mode = names.first(where: { $0 == "host" || $0 == "none" }) {
            throw error("--port needs a contained network, not --net=\(mode)")
        }
        if request.mdsRegister, names.contains("none") {
            throw error("--mds-register needs a network to reach the metadata service, not --net=none")
        }
        if let mode = request.dns.first(where: { $0 == "host" || $0 == "none" }) {
            guard request.dns.count == 1 else { throw error("--dns=\(mode) cannot be combined with other --dns values") }
            for (flag, given) in [("dns-search", !request.dnsSearch.isEmpty), ("dns-opt", !request.dnsOptions.isEmpty), ("dns-domain", request.dnsDomain != nil)]
            where given {
                throw error("--\(flag) conflicts with --dns=\(mode)")
            }
        }
        if request.hostsEntries.contains("host"), request.hostsEntries.count > 1 {
            throw error("--hosts-entry=host cannot be combined with other --hosts-entry values")
        }
    }
}

enum NetworkForms {
    /// `NET[:ARGS],...`: names of letters, digits, '_', '.', '-'; ARGS `K=V;K2=V2` (split at the
    /// first ':' only, so values may hold IPv6 addresses); host and all take no arguments.
    static func networks(_ text: String) throws(FlagProblem) -> [NetworkOption] {
        var options: [NetworkOption] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let option = NetworkOption(entry: item)
            guard !option.name.isEmpty else { throw FlagProblem("empty network name") }
            guard ValueForms.isPlainWord(option.name) else { throw FlagProblem("\(quote(option.name)) is not a network name") }
            guard !options.contains(where: { $0.name == option.name }) else {
                throw FlagProblem("network \(quote(option.name)) given twice")
            }
            if let arguments = option.arguments {
                guard option.name != "host", option.name != "all", option.name != "none" else {
                    throw FlagProblem("network \(quote(option.name)) takes no arguments")
                }
                for argument in arguments.split(separator: ";", omittingEmptySubsequences: false) {
                    guard let (key, _) = ValueForms.assignment(String(argument)), !key.isEmpty else {
                        throw FlagProblem("argument \(quote(String(argument))) of network \(quote(option.name)) is not K=V")
                    }
                }
            }
            options.append(option)
        }
        return options
    }

    /// `NAME:[HOSTIP:]HOSTPORT`; an IPv6 host address may be written in brackets.
    static func port(_ text: String) throws(FlagProblem) -> ExposedPort {
        guard let first = text.firstIndex(of: ":"), let last = text.lastIndex(of: ":") else {
            throw FlagProblem("not NAME:[HOSTIP:]HOSTPORT")
        }
        let name = String(text[..<first])
        let portText = String(text[text.index(after: last)...])
        var address: String? = first == last ? nil : String(text[text.index(after: first)..<last])
        if let bracketed = address, bracketed.hasPrefix("["), bracketed.hasSuffix("]") {
            address = String(bracketed.dropFirst().dropLast())
        }
        guard ACName.isValid(name) else { throw FlagProblem("port name \(quote(name)) is not an AC name") }
        guard let port = UInt16(portText), port > 0 else { throw FlagProblem("\(quote(portText)) is not a port number (1...65535)") }
        if let address, !ValueForms.isIPAddress(address) { throw FlagProblem("\(quote(address)) is not an IP address") }
        return ExposedPort(name: try ACName.checked(name), hostPort: port, hostIP: address)
    }
}

extension ACName {
    /// An AC name already checked with `isValid`.
    static func checked(_ text: String) throws(FlagProblem) -> ACName {
        do {
            return try ACName(validating: text)
        } catch {
            throw FlagProblem("\(quote(text)) is not an AC name")
        }
    }
}
