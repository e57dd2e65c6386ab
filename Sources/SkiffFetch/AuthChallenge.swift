// WWW-Authenticate challenges (RFC 7235): `Bearer realm="https://auth.example/token",
// service="registry.example",scope="repository:app:pull"` or `Basic realm="registry"`.

/// One authentication challenge from a 401 answer.
public struct AuthChallenge: Sendable, Equatable {
    /// "bearer" or "basic" (lowercased).
    public var scheme: String
    /// Parameters with lowercased names: realm, service, scope, error...
    public var parameters: [String: String]

    /// A challenge.
    public init(scheme: String, parameters: [String: String] = [:]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// The first challenge of a header value, nil when there is none. Quoted values may contain
    /// commas and backslash escapes; unquoted ones end at a comma.
    public static func parse(_ header: String) -> AuthChallenge? {
        var scanner = Array(header.unicodeScalars)[...]
        func skipSpaces() { while let first = scanner.first, first == " " || first == "\t" { scanner = scanner.dropFirst() } }
        skipSpaces()
        var scheme = ""
        while let first = scanner.first, first != " " && first != "\t" && first != "," {
            scheme.unicodeScalars.append(first)
            scanner = scanner.dropFirst()
        }
        guard !scheme.isEmpty else { return nil }
        var parameters: [String: String] = [:]
        while true {
            while let first = scanner.first, first == " " || first == "\t" || first == "," { scanner = scanner.dropFirst() }
            var name = ""
            while let first = scanner.first, first != "=" && first != "," && first != " " {
                name.unicodeScalars.append(first)
                scanner = scanner.dropFirst()
            }
            guard !name.isEmpty else { break }
            skipSpaces()
            // `Bearer token68` or the next challenge's scheme: no "=", so no parameter.
            guard scanner.first == "=" else { break }
            scanner = scanner.dropFirst()
            skipSpaces()
            var value = ""
            if scanner.first == "\"" {
                scanner = scanner.dropFirst()
                while let first = scanner.first, first != "\"" {
                    scanner = scanner.dropFirst()
                    if first == "\\", let escaped = scanner.first {
                        value.unicodeScalars.append(escaped)
                        scanner = scanner.dropFirst()
                    } else {
                        value.unicodeScalars.append(first)
                    }
                }
                scanner = scanner.dropFirst()
            } else {
                while let first = scanner.first, first != "," && first != " " {
                    value.unicodeScalars.append(first)
                    scanner = scanner.dropFirst()
                }
            }
            parameters[name.lowercased()] = value
        }
        return AuthChallenge(scheme: scheme.lowercased(), parameters: parameters)
    }
}
