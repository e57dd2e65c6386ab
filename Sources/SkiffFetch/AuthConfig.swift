// rkt-style credentials: auth.d/*.json files of the configuration directories.
#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import SkiffSystem

/// Credentials from rkt-style auth config: every `<dir>/auth.d/*.json` of the given config
/// directories (later directories win per domain; within one directory a domain may appear in
/// one file only, as in rkt). Files look like
/// `{"rktKind":"auth","rktVersion":"v1","domains":["example.com"],"type":"basic","credentials":{"user":"u","password":"p"}}`
/// or `"type":"oauth"` with `{"token":"t"}`; `"rktKind":"dockerAuth"` files (`registries`,
/// `user`/`password`) are kept for Docker registries. Unknown kinds, versions or types and
/// malformed files are errors naming the file.
public struct AuthConfig: Sendable, Equatable {
    /// One credential as configured.
    public enum Credential: Sendable, Equatable {
        /// HTTP basic authentication.
        case basic(user: String, password: String)
        /// An OAuth bearer token.
        case bearer(token: String)

        /// The value of the Authorization header.
        public var authorization: String {
            switch self {
            case .basic(let user, let password): "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
            case .bearer(let token): "Bearer " + token
            }
        }
    }

    /// Credentials per lowercased domain (`host` or `host:port`).
    public private(set) var domains: [String: Credential] = [:]
    /// Docker registry credentials per lowercased registry host.
    public private(set) var registries: [String: Credential] = [:]

    /// No credentials at all.
    public init() {}

    /// Reads `auth.d/*.json` of every directory in order; a missing directory is no error.
    public static func load(configDirectories: [String]) throws -> AuthConfig {
        var config = AuthConfig()
        for directory in configDirectories {
            let authDirectory = directory + "/auth.d"
            guard FileSystem.isDirectory(authDirectory) else { continue }
            var seen: [Bool: [String: String]] = [false: [:], true: [:]]  // docker? → key → file, in this directory
            for name in try FileSystem.list(authDirectory) where name.hasSuffix(".json") {
                let path = authDirectory + "/" + name
                guard (try? FileSystem.status(path)).map({ $0.st_mode & S_IFMT == S_IFREG }) == true else { continue }
                let entry = try AuthFile.parse(FileSystem.read(path, limit: 1 << 20), path: path)
                for key in entry.keys {
                    if let other = seen[entry.isDocker]?[key] {
                        throw SkiffError(
                            .invalid, "auth config \(quote(path)): \(quote(key)) is already configured in \(quote(other))")
                    }
                    seen[entry.isDocker, default: [:]][key] = path
                    if entry.isDocker { config.registries[key] = entry.credential } else { config.domains[key] = entry.credential }
                }
            }
        }
        return config
    }

    /// The configured credential for a URL: its `host:port` if configured, else its host
    /// (exact, case-insensitive match; no wildcards, no parent domains).
    public func credential(for url: URL) -> Credential? {
        guard let host = url.host?.lowercased() else { return nil }
        if let port = url.port, let credential = domains["\(host):\(port)"] { return credential }
        return domains[host]
    }

    /// The Authorization header for the URL's host, or no headers.
    public func headers(for url: URL) -> [String: String] {
        guard let credential = credential(for: url) else { return [:] }
        return ["Authorization": credential.authorization]
    }

    /// The `dockerAuth` credentials for a Docker registry host, if configured.
    public func dockerCredentials(for registry: String) -> (user: String, password: String)? {
        guard case .basic(let user, let password) = registries[registry.lowercased()] else { return nil }
        return (user, password)
    }
}
