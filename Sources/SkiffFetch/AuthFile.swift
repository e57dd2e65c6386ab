// Parsing one auth.d file, with errors that name the file and the field.
import FoundationEssentials
import SkiffSystem

/// One parsed auth.d file: the domains (or Docker registries) it covers and their credential.
struct AuthFile {
    var keys: [String]
    var isDocker: Bool
    var credential: AuthConfig.Credential

    /// The JSON shape shared by `auth` and `dockerAuth` v1 files; everything optional so the
    /// checks below can say which field is wrong instead of a decoder's stack of keys.
    private struct Raw: Decodable {
        var rktKind: String?
        var rktVersion: String?
        var domains: [String]?
        var registries: [String]?
        var type: String?
        var credentials: [String: String]?
    }

    /// Parses and validates `bytes`, read from `path`.
    static func parse(_ bytes: [UInt8], path: String) throws -> AuthFile {
        func invalid(_ why: String) -> SkiffError { SkiffError(.invalid, "auth config \(quote(path)): \(why)") }
        let raw: Raw
        do {
            raw = try JSONDecoder().decode(Raw.self, from: Data(bytes))
        } catch DecodingError.typeMismatch(_, let context) {
            throw invalid("wrong type for \(quote(fieldName(context.codingPath)))")
        } catch {
            throw invalid("malformed JSON")
        }
        guard let kind = raw.rktKind, !kind.isEmpty else { throw invalid("missing rktKind") }
        guard kind == "auth" || kind == "dockerAuth" else { throw invalid("unknown rktKind \(quote(kind))") }
        guard let version = raw.rktVersion, !version.isEmpty else { throw invalid("missing rktVersion") }
        guard version == "v1" else { throw invalid("unknown rktVersion \(quote(version)) for rktKind \(quote(kind))") }
        let isDocker = kind == "dockerAuth"
        // rkt's own documentation shows a dockerAuth file with "domains"; accept either field.
        let listed = isDocker ? (raw.registries ?? raw.domains) : raw.domains
        let field = isDocker ? "registries" : "domains"
        guard let listed, !listed.isEmpty else { throw invalid("missing or empty \(field)") }
        var keys: [String] = []
        for entry in listed {
            let key = entry.lowercased()
            guard !key.isEmpty, !key.contains(where: { $0 == "/" || $0.isWhitespace || $0 == "@" }) else {
                throw invalid("\(field) entry \(quote(entry)) is not a host or host:port")
            }
            keys.append(key)
        }
        let credentials = raw.credentials ?? [:]
        func required(_ name: String) throws -> String {
            guard let value = credentials[name], !value.isEmpty else {
                throw invalid("missing or empty credentials.\(name)")
            }
            // A line break would let the value inject header lines into the request.
            guard !value.contains(where: { $0.isNewline || $0 == "\0" }) else {
                throw invalid("credentials.\(name) contains a line break")
            }
            return value
        }
        let type = isDocker ? "basic" : (raw.type ?? "")
        let credential: AuthConfig.Credential
        switch type {
        case "basic": credential = .basic(user: try required("user"), password: try required("password"))
        case "oauth": credential = .bearer(token: try required("token"))
        case "": throw invalid("missing type")
        default: throw invalid("unsupported type \(quote(type)) (basic or oauth)")
        }
        return AuthFile(keys: keys, isDocker: isDocker, credential: credential)
    }

    private static func fieldName(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
