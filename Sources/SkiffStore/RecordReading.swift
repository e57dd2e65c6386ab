// Reading store records with the store's own JSON parser. Foundation's JSONDecoder builds its
// generic machinery on first use in a process, a fifth of a millisecond, and `run` reads four
// records (the remote and image records of the app and the stage1 image); writing keeps Codable.
import SkiffImage
import SkiffSystem

/// A record file that is JSON but not the record it should be: the member and what is wrong.
struct RecordShapeError: Error, CustomStringConvertible {
    let description: String
}

/// The typed members of one record object; every accessor names the member it failed on.
struct RecordFields {
    let value: JSONValue

    init(_ bytes: [UInt8]) throws {
        value = try JSONValue(parsing: bytes)
        guard value.objectMembers != nil else { throw RecordShapeError(description: "not a JSON object") }
    }

    func string(_ key: String) throws -> String {
        guard let text = value[key]?.stringValue else { throw RecordShapeError(description: "\(key): not a string") }
        return text
    }

    func optionalString(_ key: String) throws -> String? {
        guard let member = value[key], member != .null else { return nil }
        return try string(key)
    }

    func integer(_ key: String) throws -> Int64 {
        guard let number = value[key]?.numberValue, number.rounded() == number, abs(number) < 9.0e15 else {
            throw RecordShapeError(description: "\(key): not an integer")
        }
        return Int64(number)
    }

    func optionalInteger(_ key: String) throws -> Int64? {
        guard let member = value[key], member != .null else { return nil }
        return try integer(key)
    }

    func stringMap(_ key: String) throws -> [String: String] {
        guard let members = value[key]?.objectMembers else { throw RecordShapeError(description: "\(key): not an object") }
        var map: [String: String] = [:]
        for (name, member) in members {
            guard let text = member.stringValue else { throw RecordShapeError(description: "\(key).\(name): not a string") }
            map[name] = text
        }
        return map
    }
}

extension ImageRecord {
    /// The record in `bytes` (as `writeRecord` encodes it).
    init(recordBytes bytes: [UInt8]) throws {
        let fields = try RecordFields(bytes)
        self.init(
            id: try fields.string("id"), kind: try fields.string("kind"), name: try fields.string("name"),
            labels: try fields.stringMap("labels"), importTime: try fields.integer("importTime"),
            lastUsed: try fields.integer("lastUsed"), size: try fields.integer("size"), source: try fields.string("source"),
            signer: try fields.optionalString("signer"))
    }
}

extension RemoteRecord {
    /// The record in `bytes` (as `saveRemote` encodes it).
    init(recordBytes bytes: [UInt8]) throws {
        let fields = try RecordFields(bytes)
        self.init(
            url: try fields.string("url"), imageID: try fields.string("imageID"), etag: try fields.optionalString("etag"),
            maxAge: try fields.optionalInteger("maxAge").map { Int($0) }, downloadTime: try fields.integer("downloadTime"))
    }
}
