// Labels and annotations (aci.md "labels", "annotations"): name/value lists with unique AC
// Identifier names, plus the rules of the well-known names (os/arch, created, homepage...).

/// An image label: `{"name": "version", "value": "1.0.0"}`.
public struct Label: Sendable, Equatable, Codable {
    /// The label name ("version", "os", "arch"...).
    public var name: ACIdentifier
    /// The label value, any string.
    public var value: String

    /// A label.
    public init(name: ACIdentifier, value: String) {
        self.name = name
        self.value = value
    }

    /// Reads and checks a label list: names unique and never "name", os/arch whitelisted.
    static func readList(_ elements: [(JSONValue, FieldPath)]) throws(SchemaError) -> [Label] {
        var labels: [Label] = []
        var seen: [String: FieldPath] = [:]
        for (element, path) in elements {
            let object = try ObjectReader(element, at: path)
            let namePath = path.key("name")
            let name = try ACIdentifier.read(try object.presentString("name"), at: namePath)
            guard name.value != "name" else { throw SchemaError(namePath, string: "name", "reserved for the image name") }
            guard seen[name.value] == nil else { throw SchemaError(namePath, string: name.value, "duplicate label") }
            seen[name.value] = path.key("value")
            labels.append(Label(name: name, value: try object.presentString("value")))
        }
        let os = labels.first { $0.name.value == "os" }?.value
        let arch = labels.first { $0.name.value == "arch" }?.value
        if let problem = Platform.osProblem(os), let os, let at = seen["os"] { throw SchemaError(at, string: os, problem) }
        if let problem = Platform.archProblem(os: os, arch: arch), let arch, let at = seen["arch"] {
            throw SchemaError(at, string: arch, problem)
        }
        return labels
    }

    static func json(_ labels: [Label]) -> JSONValue {
        .array(labels.map { .object([("name", .string($0.name.value)), ("value", .string($0.value))]) })
    }

    public init(from decoder: any Decoder) throws {
        self = try decodeSchema(decoder) { (value, path) throws(SchemaError) in
            let object = try ObjectReader(value, at: path)
            return Label(
                name: try ACIdentifier.read(try object.presentString("name"), at: path.key("name")),
                value: try object.presentString("value"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try JSONValue.object([("name", .string(name.value)), ("value", .string(value))]).encode(to: encoder)
    }
}

/// An image annotation: free-form metadata with a few well-known names.
public struct Annotation: Sendable, Equatable, Codable {
    /// The annotation name ("created", "authors"...).
    public var name: ACIdentifier
    /// The annotation value.
    public var value: String

    /// An annotation.
    public init(name: ACIdentifier, value: String) {
        self.name = name
        self.value = value
    }

    /// The spec's own example writes this annotation's value as a JSON boolean; it is accepted
    /// and kept as the string "true" or "false".
    static let systemdNotify = "appc.io/executor/supports-systemd-notify"

    /// Reads and checks an annotation list: unique names, and `created` (RFC 3339), `homepage`
    /// and `documentation` (http or https URLs) well-formed.
    static func readList(_ elements: [(JSONValue, FieldPath)]) throws(SchemaError) -> [Annotation] {
        var annotations: [Annotation] = []
        var seen = Set<String>()
        for (element, path) in elements {
            let annotation = try read(element, at: path)
            guard seen.insert(annotation.name.value).inserted else {
                throw SchemaError(path.key("name"), string: annotation.name.value, "duplicate annotation")
            }
            let valuePath = path.key("value")
            switch annotation.name.value {
            case "created":
                guard RFC3339.parse(annotation.value) != nil else {
                    throw SchemaError(valuePath, string: annotation.value, "created must be an RFC 3339 timestamp")
                }
            case "homepage", "documentation":
                guard isWebURL(annotation.value) else {
                    throw SchemaError(valuePath, string: annotation.value, "\(annotation.name.value) must be an http or https URL")
                }
            default: break
            }
            annotations.append(annotation)
        }
        return annotations
    }

    static func read(_ element: JSONValue, at path: FieldPath) throws(SchemaError) -> Annotation {
        let object = try ObjectReader(element, at: path)
        let name = try ACIdentifier.read(try object.presentString("name"), at: path.key("name"))
        if name.value == systemdNotify, let flag = try? object.bool("value") {
            return Annotation(name: name, value: flag ? "true" : "false")
        }
        return Annotation(name: name, value: try object.presentString("value"))
    }

    static func json(_ annotations: [Annotation]) -> JSONValue {
        .array(annotations.map { .object([("name", .string($0.name.value)), ("value", .string($0.value))]) })
    }

    public init(from decoder: any Decoder) throws {
        self = try decodeSchema(decoder) { (value, path) throws(SchemaError) in try Annotation.read(value, at: path) }
    }

    public func encode(to encoder: any Encoder) throws {
        try JSONValue.object([("name", .string(name.value)), ("value", .string(value))]).encode(to: encoder)
    }
}

/// An absolute http or https URL with a host, without spaces or control characters.
func isWebURL(_ text: String) -> Bool {
    let lower = text.lowercased()
    let rest: Substring
    if lower.hasPrefix("https://") {
        rest = text.dropFirst(8)
    } else if lower.hasPrefix("http://") {
        rest = text.dropFirst(7)
    } else {
        return false
    }
    guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f }) else { return false }
    let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    return !host.isEmpty && !host.hasPrefix("@") && !host.hasPrefix(":")
}
