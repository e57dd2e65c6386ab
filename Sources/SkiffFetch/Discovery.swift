// appc meta-discovery: from an image name to the URLs of its ACI, signature and signing keys.
import FoundationEssentials
import SkiffSystem

/// Where one image can be downloaded: the ACI and its detached signature.
public struct ACIEndpoint: Sendable, Equatable {
    /// The ACI (`{ext}` = `aci`).
    public var aci: URL
    /// Its detached signature (`{ext}` = `aci.asc`).
    public var signature: URL

    /// An endpoint pair.
    public init(aci: URL, signature: URL) {
        self.aci = aci
        self.signature = signature
    }
}

/// What meta-discovery found for a name: the image endpoints, and the public keys offered by
/// the same page.
public struct DiscoveryEndpoints: Sendable, Equatable {
    /// ACI endpoints in page order; try them in order.
    public var aci: [ACIEndpoint]
    /// Public key URLs (`ac-discovery-pubkeys`) whose prefix matches the name.
    public var publicKeys: [URL]

    /// Endpoints as found.
    public init(aci: [ACIEndpoint], publicKeys: [URL]) {
        self.aci = aci
        self.publicKeys = publicKeys
    }
}

/// appc meta-discovery.
public enum Discovery {
    /// The labels rkt fills in from the host: `os` and `arch` with appc's architecture names.
    public static var hostLabels: [String: String] {
        #if arch(x86_64)
        let arch = "amd64"
        #elseif arch(arm64)
        let arch = "aarch64"
        #elseif arch(i386)
        let arch = "i386"
        #elseif arch(arm)
        let arch = "armv7l"
        #elseif arch(powerpc64le)
        let arch = "ppc64le"
        #elseif arch(s390x)
        let arch = "s390x"
        #else
        let arch = "unknown"
        #endif
        return ["os": "linux", "arch": arch]
    }

    /// Discovers the endpoints of `name` (an image name like `example.com/app`, no version).
    ///
    /// Fetches `https://{prefix}?ac-discovery=1` (then `http://` if `policy.allowHTTP`) for the
    /// name and each parent path (`a.com/x/y` → `a.com/x` → `a.com`) until a page offers a
    /// matching template. A template counts when its PREFIX is a prefix of the name; `{name}`,
    /// `{ext}` and every label (`version` defaults to `latest`) are substituted, and a template
    /// still holding a `{…}` is skipped. Redirects are followed by the client.
    public static func discover(name: String, labels: [String: String], client: HTTPClient) throws
        -> DiscoveryEndpoints
    {
        let name = try validated(name)
        var attempts: [String] = []
        for prefix in walk(name) {
            let tags: [(name: String, content: String)]
            do { tags = try fetchTags(prefix, client: client) } catch let error as SkiffError {
                attempts.append(error.message)
                continue
            }
            let found = endpoints(for: name, labels: labels, tags: tags)
            if !found.aci.isEmpty { return found }
            attempts.append("\(prefix): no matching ac-discovery meta tags")
        }
        throw SkiffError(.notFound, "discover \(quote(name)): no ACI endpoints found (\(attempts.joined(separator: "; ")))")
    }

    /// Discovers the signing keys offered for `prefix` (`ac-discovery-pubkeys`), walking up the
    /// parent paths like `discover` until a page offers some.
    public static func discoverPublicKeys(prefix: String, client: HTTPClient) throws -> [URL] {
        let name = try validated(prefix)
        var attempts: [String] = []
        for candidate in walk(name) {
            let tags: [(name: String, content: String)]
            do { tags = try fetchTags(candidate, client: client) } catch let error as SkiffError {
                attempts.append(error.message)
                continue
            }
            let keys = endpoints(for: name, labels: [:], tags: tags).publicKeys
            if !keys.isEmpty { return keys }
            attempts.append("\(candidate): no matching ac-discovery-pubkeys meta tags")
        }
        throw SkiffError(.notFound, "discover keys for \(quote(name)): none found (\(attempts.joined(separator: "; ")))")
    }

    /// The endpoints a page's tags offer for `name` (the matching and substitution alone).
    public static func endpoints(for name: String, labels: [String: String], tags: [(name: String, content: String)])
        -> DiscoveryEndpoints
    {
        var values = labels
        if values["version", default: ""].isEmpty { values["version"] = "latest" }
        values["name"] = name
        var result = DiscoveryEndpoints(aci: [], publicKeys: [])
        for tag in tags {
            let fields = tag.content.split(whereSeparator: \.isWhitespace).map(String.init)
            guard fields.count == 2, name.hasPrefix(fields[0]) else { continue }
            switch tag.name.lowercased() {
            case "ac-discovery":
                var withExt = values
                withExt["ext"] = "aci"
                let aci = render(fields[1], withExt).flatMap(webURL)
                withExt["ext"] = "aci.asc"
                let signature = render(fields[1], withExt).flatMap(webURL)
                if let aci, let signature { result.aci.append(ACIEndpoint(aci: aci, signature: signature)) }
            case "ac-discovery-pubkeys":
                if let key = webURL(fields[1]) { result.publicKeys.append(key) }
            default: continue
            }
        }
        return result
    }

    /// Substitutes `{key}` for every value; nil if a `{…}` is left over.
    static func render(_ template: String, _ values: [String: String]) -> String? {
        var text = template
        for (key, value) in values { text = text.replacing("{\(key)}", with: value) }
        if let open = text.firstIndex(of: "{"), text[open...].contains("}") { return nil }
        return text
    }

    /// The name and its parents, longest first: `a.com/x/y`, `a.com/x`, `a.com`.
    static func walk(_ name: String) -> [String] {
        let parts = name.split(separator: "/").map(String.init)
        return (1...parts.count).reversed().map { parts[0..<$0].joined(separator: "/") }
    }

    private static func validated(_ name: String) throws -> String {
        var trimmed = Substring(name)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard !trimmed.isEmpty, !trimmed.hasPrefix("/"), !trimmed.contains("://"),
            !trimmed.contains(where: { $0 == "?" || $0 == "#" || $0.isWhitespace })
        else { throw SkiffError(.usage, "discover \(quote(name)): not an image name") }
        return String(trimmed)
    }

    /// The meta tags of `https://{prefix}?ac-discovery=1`, falling back to http when allowed.
    private static func fetchTags(_ prefix: String, client: HTTPClient) throws -> [(name: String, content: String)] {
        let page: [UInt8]
        do {
            page = try fetchPage("https", prefix, client: client)
        } catch let secure as SkiffError {
            guard client.policy.allowHTTP else { throw secure }
            do { page = try fetchPage("http", prefix, client: client) } catch let plain as SkiffError {
                throw SkiffError(plain.code, secure.message + "; " + plain.message)
            }
        }
        return metaTags(in: String(decoding: page, as: UTF8.self))
    }

    private static func fetchPage(_ scheme: String, _ prefix: String, client: HTTPClient) throws -> [UInt8] {
        guard let url = URL(string: "\(scheme)://\(prefix)?ac-discovery=1") else {
            throw SkiffError(.usage, "discover \(quote(prefix)): not a valid host and path")
        }
        return try client.getData(url, limit: 1 << 20).1
    }

    private static func webURL(_ text: String) -> URL? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            url.host != nil
        else { return nil }
        return url
    }
}
