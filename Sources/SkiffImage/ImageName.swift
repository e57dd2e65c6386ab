// Image names as users type them (rkt, appc discovery's NewAppFromString):
// `example.com/app`, `example.com/app:v1.0`, `example.com/app,os=linux,channel=alpha`,
// `example.com/app:v1.0,arch=amd64`. ":" sets the version label and may appear once, right
// after the name. Matching a manifest against a name follows aci.md "Dependency Matching".
import SkiffSystem

/// An image name with the labels it was asked for with.
public struct ImageName: Sendable, Equatable, CustomStringConvertible {
    /// The AC Identifier ("example.com/app").
    public var name: String
    /// Requested labels ("version", "os", "arch", or any other).
    public var labels: [String: String]

    /// A name and labels as they are (no checks).
    public init(name: String, labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels
    }

    /// Parses `name[:version][,label=value]...`. Throws `SkiffError(.usage, "image name \"…\": …")`.
    public init(parsing text: String) throws {
        func fail(_ reason: String) -> SkiffError { SkiffError(.usage, "image name \(quote(text)): \(reason)") }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var head = parts[0]
        var labels: [String: String] = [:]
        if let colon = head.firstIndex(of: ":") {
            let version = String(head[head.index(after: colon)...])
            guard !version.contains(":") else { throw fail("\":\" may appear only once") }
            guard !version.isEmpty else { throw fail("empty version after \":\"") }
            labels["version"] = version
            head = String(head[..<colon])
        }
        guard !head.isEmpty else { throw fail("no name") }
        guard ACIdentifier.isValid(head) else { throw fail("\(quote(head)) is not an AC identifier") }
        for part in parts.dropFirst() {
            if part.contains(":") { throw fail("\":\" may appear only right after the name") }
            guard let equals = part.firstIndex(of: "=") else { throw fail("label \(quote(part)) has no value (want name=value)") }
            let key = String(part[..<equals])
            let value = String(part[part.index(after: equals)...])
            guard ACIdentifier.isValid(key) else { throw fail("label name \(quote(key)) is not an AC identifier") }
            guard key != "name" else { throw fail("\"name\" cannot be a label") }
            guard !value.isEmpty else { throw fail("label \(quote(key)) has an empty value") }
            guard labels[key] == nil else { throw fail("label \(quote(key)) given twice") }
            labels[key] = value
        }
        self.init(name: head, labels: labels)
    }

    /// The version label, if requested.
    public var version: String? { labels["version"] }

    /// `name[:version][,os=…][,arch=…][,other=…]` (other labels sorted): parses back to an equal name.
    public var description: String {
        var text = name
        if let version { text += ":" + version }
        for key in ["os", "arch"] { if let value = labels[key] { text += ",\(key)=\(value)" } }
        for key in labels.keys.sorted() where !["version", "os", "arch"].contains(key) {
            text += ",\(key)=\(labels[key] ?? "")"
        }
        return text
    }
}

/// Whether manifest `m` is image `name` with every requested label present and equal (labels not
/// requested may have any value, or be absent).
public func manifest(_ m: ImageManifest, satisfies name: String, labels: [String: String]) -> Bool {
    guard m.name.value == name else { return false }
    return labels.allSatisfy { m.label($0.key) == $0.value }
}
