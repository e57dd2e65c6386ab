// Reading and undoing the iptables rules CNI plugins leave when they cannot clean up themselves:
// ptp and bridge remove their masquerading chain only when they find the pod's interface, so a
// DEL after the namespace is gone (a reboot, a crash) leaves it; portmap never removes its
// top-level chains. Rules are found by the names and comments the plugins give them.
import SkiffDigest
import SkiffSystem

enum IPTables {
    /// The programs for IPv4 and IPv6 rules.
    static let tools = ["iptables", "ip6tables"]

    /// The chains portmap creates once per host and never deletes.
    static let portmapChains = ["CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-SETMARK", "CNI-HOSTPORT-MASQ"]

    /// `iptables -S` lines of a table; empty when the tool or the table is unavailable.
    static func rules(_ tool: String, table: String) -> [String] {
        guard let output = try? Subprocess.run([tool, "-w", "-t", table, "-S"]), output.status == 0 else { return [] }
        return output.stdoutText.split(separator: "\n").map(String.init)
    }

    /// Runs `tool -w -t table arguments...`; throws with its last stderr line.
    static func run(_ tool: String, table: String, _ arguments: [String]) throws {
        let output = try Subprocess.run([tool, "-w", "-t", table] + arguments)
        guard output.status == 0 else {
            throw SkiffError(.system, "\(tool) -t \(table) \(arguments.joined(separator: " ")): \(output.stderrLastLine)")
        }
    }

    /// The chain name the plugins derive from a network and a container ID (their
    /// `utils.MustFormatChainNameWithPrefix`): "CNI-" + prefix + hex SHA-512 of name+id, cut
    /// to 28 characters.
    static func chainName(network: String, containerID: String, prefix: String = "") -> String {
        let hex = Digest.hash(.sha512, Array((network + containerID).utf8)).hexString
        return String(("CNI-" + prefix + hex).prefix(28))
    }

    /// Splits an `iptables -S` line into arguments (double quotes with backslash escapes).
    static func tokenize(_ line: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var inQuotes = false
        var escaped = false
        var started = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" && inQuotes {
                escaped = true
            } else if character == "\"" {
                inQuotes.toggle()
                started = true
            } else if character == " " && !inQuotes {
                if started { tokens.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
                started = true
            }
        }
        if started { tokens.append(current) }
        return tokens
    }

    /// Removes every rule and chain left for one network of one pod: its masquerading chain,
    /// portmap's per-pod chains (`CNI-DN-`, older `CNI-SN-`), every rule jumping to them and
    /// every rule whose comment carries the pod's ID. Returns what it removed.
    static func sweep(network: String, containerID: String) throws -> [String] {
        let targets = ["", "DN-", "SN-"].map { chainName(network: network, containerID: containerID, prefix: $0) }
        let marker = "id: \"\(containerID)\""
        var removed: [String] = []
        for tool in tools {
            for table in ["nat", "filter"] {
                let lines = rules(tool, table: table)
                let chains = Set(lines.compactMap { line -> String? in
                    let tokens = tokenize(line)
                    return tokens.count == 2 && tokens[0] == "-N" ? tokens[1] : nil
                })
                let present = targets.filter(chains.contains)
                for line in lines {
                    var tokens = tokenize(line)
                    guard tokens.count > 2, tokens[0] == "-A", !present.contains(tokens[1]) else { continue }
                    let jumps = zip(tokens, tokens.dropFirst()).contains { ($0 == "-j" || $0 == "-g") && present.contains($1) }
                    let marked = tokens.contains { $0.contains(marker) && $0.contains("name: \"\(network)\"") }
                    guard jumps || marked else { continue }
                    tokens[0] = "-D"
                    try run(tool, table: table, tokens)
                    removed.append("\(tool) -t \(table) rule \(line)")
                }
                for chain in present {
                    try run(tool, table: table, ["-F", chain])
                    try run(tool, table: table, ["-X", chain])
                    removed.append("\(tool) -t \(table) chain \(chain)")
                }
            }
        }
        return removed
    }

    /// Removes portmap's host-wide chains when no port is forwarded any more (no rule in
    /// CNI-HOSTPORT-DNAT, whoever created them): portmap recreates them on its next ADD.
    static func removeIdlePortmapChains() throws -> [String] {
        var removed: [String] = []
        for tool in tools {
            let lines = rules(tool, table: "nat")
            let tokenized = lines.map(tokenize)
            guard tokenized.contains(where: { $0 == ["-N", "CNI-HOSTPORT-DNAT"] }) else { continue }
            guard !tokenized.contains(where: { $0.count > 1 && $0[0] == "-A" && $0[1] == "CNI-HOSTPORT-DNAT" }) else { continue }
            for (line, tokens) in zip(lines, tokenized) where tokens.count > 2 && tokens[0] == "-A" && !portmapChains.contains(tokens[1]) {
                guard zip(tokens, tokens.dropFirst()).contains(where: { $0 == "-j" && portmapChains.contains($1) }) else { continue }
                try run(tool, table: "nat", ["-D"] + tokens.dropFirst())
                removed.append("\(tool) -t nat rule \(line)")
            }
            let present = portmapChains.filter { chain in tokenized.contains { $0 == ["-N", chain] } }
            for chain in present { try run(tool, table: "nat", ["-F", chain]) }
            for chain in present {
                try run(tool, table: "nat", ["-X", chain])
                removed.append("\(tool) -t nat chain \(chain)")
            }
        }
        return removed
    }

    /// `-N` and `-A` lines of the nat and filter tables, IPv4 and IPv6: what the leak checks count.
    static func ruleCount() -> Int {
        var count = 0
        for tool in tools {
            for table in ["nat", "filter"] {
                count += rules(tool, table: table).filter { $0.hasPrefix("-A ") || $0.hasPrefix("-N ") }.count
            }
        }
        return count
    }
}
