// Typed, path-aware access to a parsed JSON tree, so every validation error names the field it
// is about: `labels[1].name "Name": not an AC identifier`, `app.user: required`.
import SkiffSystem

/// A field path such as `app.ports[2].name`.
struct FieldPath: Sendable, CustomStringConvertible {
    /// The steps from the document down, spelled only when an error needs the text: spelling
    /// the path of every member read (a string concatenation each) was 300 String appends and
    /// a tenth of the instructions of `skiff run`.
    private indirect enum Step: Sendable {
        case root
        case key(Step, String)
        case index(Step, Int)
    }

    private var last = Step.root

    /// The member `name` of the object at this path.
    func key(_ name: String) -> FieldPath {
        var next = self
        next.last = .key(last, name)
        return next
    }

    /// Element `position` of the array at this path.
    func index(_ position: Int) -> FieldPath {
        var next = self
        next.last = .index(last, position)
        return next
    }

    /// The path as errors show it, e.g. `app.environment[1].name` (empty for the document).
    var text: String {
        var steps: [Step] = []
        var step = last
        while true {
            switch step {
            case .root:
                var text = ""
                for step in steps.reversed() {
                    switch step {
                    case .root: break
                    case .key(_, let name): text += text.isEmpty ? name : "." + name
                    case .index(_, let position): text += "[\(position)]"
                    }
                }
                return text
            case .key(let parent, _), .index(let parent, _):
                steps.append(step)
                step = parent
            }
        }
    }

    var description: String { text }

    init() {}

    /// The path of a Codable decoder's position, so Codable errors name fields too.
    init(codingPath: [any CodingKey]) {
        for key in codingPath { self = key.intValue.map(index) ?? self.key(key.stringValue) }
    }
}

/// A manifest field that breaks a rule: the field, its offending value (already quoted), why.
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    /// The field path, e.g. `labels[1].name` (empty for the document itself).
    public let path: String
    /// The offending value as shown in messages (`"Name"`, `0`), if it helps.
    public let value: String?
    /// Why the value is wrong.
    public let reason: String

    init(_ path: FieldPath, _ reason: String) {
        self.path = path.text
        self.value = nil
        self.reason = reason
    }

    init(_ path: FieldPath, string value: String, _ reason: String) {
        self.path = path.text
        self.value = quote(value)
        self.reason = reason
    }

    init(_ path: FieldPath, number value: Double, _ reason: String) {
        self.path = path.text
        self.value = JSONWriter.format(value)
        self.reason = reason
    }

    /// `path "value": reason`, `path: reason`, or just `reason` at the top level.
    public var description: String {
        let subject = [path, value ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
        return subject.isEmpty ? reason : "\(subject): \(reason)"
    }
}

/// Reads the members of one JSON object. A member that is `null` counts as absent, as it does
/// for Go's encoding/json, which produced and validated most appc manifests.
struct ObjectReader {
    let path: FieldPath
    private let members: [(String, JSONValue)]

    init(_ value: JSONValue, at path: FieldPath) throws(SchemaError) {
        guard case .object(let members) = value else { throw SchemaError(path, "expected an object, got \(value.kindName)") }
        self.path = path
        self.members = members
    }

    /// The member `key`, nil when absent or null.
    func value(_ key: String) -> JSONValue? {
        guard let found = members.first(where: { $0.0 == key })?.1, found != .null else { return nil }
        return found
    }

    /// A string member; nil when absent.
    func string(_ key: String) throws(SchemaError) -> String? {
        guard let found = value(key) else { return nil }
        return try expectString(found, at: path.key(key))
    }

    /// A string member that must be present and non-empty.
    func requiredString(_ key: String) throws(SchemaError) -> String {
        guard let text = try string(key), !text.isEmpty else { throw SchemaError(path.key(key), "required") }
        return text
    }

    /// A string member that must be present (it may be empty).
    func presentString(_ key: String) throws(SchemaError) -> String {
        guard let text = try string(key) else { throw SchemaError(path.key(key), "required") }
        return text
    }

    /// A boolean member; nil when absent.
    func bool(_ key: String) throws(SchemaError) -> Bool? {
        guard let found = value(key) else { return nil }
        guard case .bool(let flag) = found else { throw SchemaError(path.key(key), "expected a boolean, got \(found.kindName)") }
        return flag
    }

    /// An integer member within `range`; nil when absent.
    func integer(_ key: String, in range: ClosedRange<Double>, _ rangeText: String) throws(SchemaError) -> Double? {
        guard let found = value(key) else { return nil }
        return try expectInteger(found, at: path.key(key), in: range, rangeText)
    }

    /// An array member as (element, path) pairs; nil when absent.
    func array(_ key: String) throws(SchemaError) -> [(JSONValue, FieldPath)]? {
        guard let found = value(key) else { return nil }
        guard case .array(let elements) = found else { throw SchemaError(path.key(key), "expected an array, got \(found.kindName)") }
        let base = path.key(key)
        return elements.enumerated().map { ($0.element, base.index($0.offset)) }
    }

    /// An array of strings; nil when absent.
    func stringArray(_ key: String) throws(SchemaError) -> [String]? {
        guard let elements = try array(key) else { return nil }
        var out: [String] = []
        for (element, at) in elements { out.append(try expectString(element, at: at)) }
        return out
    }

    /// An object whose values are all strings; nil when absent.
    func stringMap(_ key: String) throws(SchemaError) -> [String: String]? {
        guard let found = value(key) else { return nil }
        let inner = try ObjectReader(found, at: path.key(key))
        var out: [String: String] = [:]
        for (name, member) in inner.members { out[name] = try expectString(member, at: inner.path.key(name)) }
        return out
    }
}

/// The string in `value`, or a type error naming `path`.
func expectString(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> String {
    guard case .string(let text) = value else { throw SchemaError(path, "expected a string, got \(value.kindName)") }
    return text
}

/// The integer in `value` within `range` (exact doubles only), or an error naming `path`.
func expectInteger(
    _ value: JSONValue, at path: FieldPath, in range: ClosedRange<Double>, _ rangeText: String
) throws(SchemaError) -> Double {
    guard case .number(let number) = value else { throw SchemaError(path, "expected a number, got \(value.kindName)") }
    guard number == number.rounded() else { throw SchemaError(path, number: number, "must be an integer") }
    guard range.contains(number) else { throw SchemaError(path, number: number, "must be \(rangeText)") }
    return number
}

/// Decodes a schema type through Codable: the JSON tree first, then the same checks as `parse`.
func decodeSchema<T>(_ decoder: any Decoder, _ read: (JSONValue, FieldPath) throws(SchemaError) -> T) throws -> T {
    let value = try JSONValue(from: decoder)
    do {
        return try read(value, FieldPath(codingPath: decoder.codingPath))
    } catch {
        throw corrupted(decoder, error.description)
    }
}

/// Converts a schema failure of a whole document into the engine's error.
func invalidManifest(_ kind: String, _ error: SchemaError) -> SkiffError {
    SkiffError(.invalid, "\(kind): \(error)")
}

/// Whether `path` is absolute (starts with "/").
func isAbsolutePath(_ path: String) -> Bool { path.hasPrefix("/") }
