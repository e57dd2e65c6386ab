// skiff trust [--prefix=PREFIX | --root] [KEY...]
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import SkiffFetch
import SkiffTrust

enum TrustCommand {
    static let spec = CommandSpec(
        name: "trust",
        summary: "Trust a key to sign images under a name prefix (or all images)",
        usage: "skiff trust --prefix=PREFIX [KEY...] | skiff trust --root KEY",
        details: """
            KEY is a file or an https URL (http only with --insecure-allow-http). Without KEY, the keys
            of the prefix are found by appc discovery (ac-discovery-pubkeys). On a terminal, each key's
            fingerprint is shown and must be confirmed; elsewhere pass --skip-fingerprint-review.
            Keys are stored by fingerprint under <local-config>/trustedkeys/prefix.d/PREFIX/ or root.d/.
            """,
        flags: [
            FlagSpec("prefix", .value(placeholder: "PREFIX", defaultValue: nil), help: "image name prefix the key may sign"),
            FlagSpec("root", .bool, help: "trust the key for every image (local files only)"),
            FlagSpec("skip-fingerprint-review", .bool, help: "do not ask to confirm the fingerprint"),
            FlagSpec("insecure-allow-http", .bool, help: "allow fetching keys over plain HTTP"),
        ],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        let prefix = invocation.value("prefix")
        let root = invocation.arguments.isSet("root")
        var keys = invocation.arguments.positionals
        switch (prefix, root) {
        case (nil, false): throw SkiffError(.usage, "trust: give --prefix=PREFIX or --root")
        case (.some, true): throw SkiffError(.usage, "trust: --prefix and --root exclude each other")
        case (nil, true):
            guard !keys.isEmpty else { throw SkiffError(.usage, "trust: --root needs a KEY file") }
            if let remote = keys.first(where: { $0.contains("://") }) {
                throw SkiffError(.usage, "trust: --root takes local files only, not \(quote(remote))")
            }
        default: break
        }
        var config = invocation.config
        if invocation.arguments.isSet("insecure-allow-http") { config.insecure.insert(.http) }
        let client = HTTPClient(
            auth: try AuthConfig.load(configDirectories: config.configDirectories),
            policy: config.transportPolicy)
        if keys.isEmpty, let prefix {
            keys = try Discovery.discoverPublicKeys(prefix: prefix, client: client).map(\.absoluteString)
            guard !keys.isEmpty else { throw SkiffError(.notFound, "trust: discovery found no keys for \(quote(prefix))") }
        }
        let store = TrustStore(adminDirectory: config.localConfig, vendorDirectory: config.systemConfig)
        for key in keys {
            let bytes = try load(key, client: client)
            let infos = try GPG.inspect(bytes, source: key)
            if !invocation.arguments.isSet("skip-fingerprint-review") {
                for info in infos { invocation.output.out(describeForReview(info, prefix: prefix, location: key)) }
                guard try confirm(invocation) else {
                    invocation.output.err("Not trusting \(quote(key))\n")
                    return SkiffError.exitCode
                }
                invocation.output.out("Trusting \(quote(key)) for prefix \(quote(prefix ?? "(root)")) after fingerprint review.\n")
            }
            let added = try store.add(bytes, source: key, prefix: prefix)
            let scope = prefix.map { "prefix \(quote($0))" } ?? "all images"
            invocation.output.out("Added key for \(scope) at \(quote(added.path))\n")
        }
        return 0
    }

    private static func load(_ key: String, client: HTTPClient) throws -> [UInt8] {
        if key.hasPrefix("https://") || key.hasPrefix("http://") {
            guard let url = URL(string: key) else { throw SkiffError(.usage, "trust: not a valid URL: \(quote(key))") }
            return try client.getData(url, limit: 1 << 20).1
        }
        let path = key.hasPrefix("file://") ? String(key.dropFirst(7)) : key
        guard FileSystem.exists(path) else { throw SkiffError(.notFound, "trust: key file \(quote(path)): no such file") }
        return try FileSystem.read(path, limit: 1 << 20)
    }

    /// Asks on the terminal; refuses (rather than trusting blindly) when stdin is not one.
    private static func confirm(_ invocation: Invocation) throws -> Bool {
        guard isatty(0) == 1 else {
            throw SkiffError(.usage, "trust: cannot review the fingerprint: stdin is not a terminal (use --skip-fingerprint-review)")
        }
        while true {
            invocation.output.out("Are you sure you want to trust this key (yes/no)? ")
            let answer = readAnswer()
            switch answer?.lowercased() {
            case "yes", "y": return true
            case "no", "n", nil: return false
            default: invocation.output.out("Please answer yes or no.\n")
            }
        }
    }

    private static func readAnswer() -> String? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(0, &byte, 1) == 1 {
            if byte == 0x0a { return String(decoding: line, as: UTF8.self).filter { $0 != " " && $0 != "\r" && $0 != "\t" } }
            line.append(byte)
        }
        return line.isEmpty ? nil : String(decoding: line, as: UTF8.self)
    }
}
