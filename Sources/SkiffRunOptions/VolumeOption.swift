// `--volume NAME,kind=host,source=/p[,readOnly=B][,recursive=B]` and
// `--volume NAME,kind=empty[,mode=0755][,uid=0][,gid=0][,readOnly=B]`: appc's command-line volume
// syntax (types.VolumeFromString), with its defaults and checks.
import SkiffImage
import SkiffSystem

/// `--volume`: the flag's syntax parsed straight into the pod manifest's `Volume`.
public enum VolumeOption {
    /// Parses the `--volume` syntax; an empty volume gets mode 0755, uid 0 and gid 0 unless
    /// given (appc's defaults).
    public static func volume(parsing text: String) throws -> Volume {
        do {
            return try parse(text)
        } catch {
            throw error.usageError("--volume \(quote(text))")
        }
    }

    static let keys = ["kind", "source", "readOnly", "recursive", "mode", "uid", "gid"]

    static func parse(_ text: String) throws(FlagProblem) -> Volume {
        let name = String(text.prefix { $0 != "," })
        guard !name.isEmpty else { throw FlagProblem("needs a volume name first (NAME,kind=host|empty,...)") }
        guard !name.contains("=") else { throw FlagProblem("needs a volume name first, not \(quote(name))") }
        guard let acName = try? ACName(validating: name) else { throw FlagProblem("volume name \(quote(name)) is not an AC name") }
        let rest = text.dropFirst(name.count + 1)
        let pairs = rest.isEmpty ? [] : try keyValueList(String(rest), allowing: keys)
        var values: [String: String] = [:]
        for (key, value) in pairs { values[key] = value }
        guard let kindText = values["kind"] else { throw FlagProblem("needs kind=host or kind=empty") }
        guard let kind = Volume.Kind(rawValue: kindText) else {
            throw FlagProblem("kind \(quote(kindText)) is not host or empty")
        }
        var volume = Volume(name: acName, kind: kind)
        volume.readOnly = try values["readOnly"].map { (text) throws(FlagProblem) in try boolean(text, "readOnly") }
        volume.recursive = try values["recursive"].map { (text) throws(FlagProblem) in try boolean(text, "recursive") }
        switch kind {
        case .host:
            for key in ["mode", "uid", "gid"] where values[key] != nil {
                throw FlagProblem("\(key) is for empty volumes, not host ones")
            }
            guard let source = values["source"], !source.isEmpty else { throw FlagProblem("a host volume needs source=PATH") }
            guard source.hasPrefix("/") else { throw FlagProblem("source \(quote(source)) is not an absolute path") }
            volume.source = source
        case .empty:
            guard values["source"] == nil else { throw FlagProblem("an empty volume has no source") }
            let mode = values["mode"] ?? "0755"
            guard !mode.isEmpty, mode.count <= 4, mode.allSatisfy({ ("0"..."7").contains($0) }) else {
                throw FlagProblem("mode \(quote(mode)) is not an octal mode")
            }
            volume.mode = mode
            volume.uid = try values["uid"].map { (text) throws(FlagProblem) in try owner(text, "uid") } ?? 0
            volume.gid = try values["gid"].map { (text) throws(FlagProblem) in try owner(text, "gid") } ?? 0
        }
        return volume
    }

    private static func boolean(_ text: String, _ key: String) throws(FlagProblem) -> Bool {
        guard let value = ValueForms.bool(text) else { throw FlagProblem("\(key) \(quote(text)) is not true or false") }
        return value
    }

    private static func owner(_ text: String, _ key: String) throws(FlagProblem) -> Int {
        guard let value = ValueForms.id(text) else { throw FlagProblem("\(key) \(quote(text)) is not a number in 0...4294967294") }
        return Int(value)
    }
}
