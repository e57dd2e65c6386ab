// rkt-style configuration files: <config dir>/<kind>.d/*.json, later directories winning.
import SkiffRunOptions
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads configuration of one kind from every configuration directory, lowest precedence first.
/// Each file is a JSON object with `"skiffKind"` (or rkt's `"rktKind"`) naming the kind and
/// `"skiffVersion"` (or `"rktVersion"`) = "v1"; other fields depend on the kind.
enum ConfigFiles {
    private struct Header: Decodable {
        var skiffKind: String?
        var rktKind: String?
        var skiffVersion: String?
        var rktVersion: String?
    }

    /// Every `<dir>/<kind>.d/*.json` decoded as `T`, in precedence order, with its path.
    static func load<T: Decodable>(_ type: T.Type, kind: String, in directories: [String]) throws -> [(String, T)] {
        var result: [(String, T)] = []
        for directory in directories {
            let folder = directory + "/" + kind + ".d"
            guard FileSystem.isDirectory(folder) else { continue }
            for name in try FileSystem.list(folder) where name.hasSuffix(".json") {
                let path = folder + "/" + name
                let data = Data(try FileSystem.read(path, limit: 1 << 20))
                let header: Header
                do {
                    header = try JSONDecoder().decode(Header.self, from: data)
                } catch {
                    throw SkiffError(.invalid, "config \(quote(path)): not a JSON object")
                }
                guard (header.skiffKind ?? header.rktKind) == kind else {
                    throw SkiffError(.invalid, "config \(quote(path)): skiffKind must be \"\(kind)\"")
                }
                guard (header.skiffVersion ?? header.rktVersion) == "v1" else {
                    throw SkiffError(.invalid, "config \(quote(path)): skiffVersion must be \"v1\"")
                }
                do {
                    result.append((path, try JSONDecoder().decode(type, from: data)))
                } catch {
                    throw SkiffError(.invalid, "config \(quote(path)): \(describe(error))")
                }
            }
        }
        return result
    }

    private struct ImageFile: Decodable {
        var maxImageBytes: Int64?
        var maxEntries: Int?
        var defaultRegistry: String?
    }

    /// Image limits from `image.d`: `maxImageBytes`, `maxEntries` (positive integers), and the
    /// `defaultRegistry` of `docker://` names without a host (`host` or `host:port`).
    static func imageLimits(_ config: EngineConfig) throws -> ImageLimits {
        var limits = ImageLimits()
        for (path, file) in try load(ImageFile.self, kind: "image", in: config.configDirectories) {
            if let bytes = file.maxImageBytes {
                guard bytes > 0 else { throw SkiffError(.invalid, "config \(quote(path)): maxImageBytes must be positive") }
                limits.maxImageBytes = bytes
            }
            if let entries = file.maxEntries {
                guard entries > 0 else { throw SkiffError(.invalid, "config \(quote(path)): maxEntries must be positive") }
                limits.maxEntries = entries
            }
            if let registry = file.defaultRegistry {
                guard !registry.isEmpty, !registry.contains(where: { $0 == "/" || $0 == "@" || $0.isWhitespace }) else {
                    throw SkiffError(.invalid, "config \(quote(path)): defaultRegistry must be a host or host:port")
                }
                limits.defaultRegistry = registry.lowercased()
            }
        }
        return limits
    }

    private struct Stage1File: Decodable {
        var name: String?
        var version: String?
        var location: String?
    }

    /// The default stage1 from `stage1.d` (rkt's keys: `name`, `version`, `location`); the last
    /// file that sets one wins. A location (a path or URL) is used as is; a name (with version)
    /// is looked up in the store or discovered.
    static func stage1Location(_ config: EngineConfig) throws -> Stage1Choice? {
        var choice: Stage1Choice?
        for (path, file) in try load(Stage1File.self, kind: "stage1", in: config.configDirectories) {
            if let location = file.location, !location.isEmpty {
                if location.hasPrefix("/") {
                    choice = .path(location)
                } else if location.hasPrefix("http://") || location.hasPrefix("https://") {
                    choice = .url(location)
                } else if location.hasPrefix("file://") {
                    choice = .path(String(location.dropFirst(7)))
                } else {
                    throw SkiffError(.invalid, "config \(quote(path)): location must be an absolute path or a URL")
                }
            } else if let name = file.name, !name.isEmpty {
                choice = .name(file.version.map { name + ":" + $0 } ?? name)
            }
        }
        return choice
    }

    /// A decoding error as one line: which field and what was wrong.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return "\(path(context)): expected \(type)"
        case .keyNotFound(let key, let context):
            return "\(path(context + key)): required"
        case .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        return keys.isEmpty ? "document" : keys.joined(separator: ".")
    }

    private static func path(_ context: DecodingError.Context, _ key: any CodingKey) -> String {
        path(DecodingError.Context(codingPath: context.codingPath + [key], debugDescription: ""))
    }
}

private func + (context: DecodingError.Context, key: any CodingKey) -> DecodingError.Context {
    DecodingError.Context(codingPath: context.codingPath + [key], debugDescription: context.debugDescription)
}
