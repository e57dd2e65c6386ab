// appc user and group resolution (appc "app" user/group; checklist G.73): inside the app's root,
// never on the host. A name is looked up in the image's /etc/passwd (/etc/group), else digits are
// the id, else an absolute path means the owner (group) of that file in the image.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// appc user/group resolution inside an app root, confined to it: a symlinked /etc/passwd or a
/// symlinked path never leads to a host file.
public enum Identity {
    /// The uid and gid an app runs as. `app` only names the app in errors.
    public static func resolve(user: String, group: String, root: String, app: String? = nil) throws -> (uid: UInt32, gid: UInt32) {
        let confined = try ConfinedRoot(root)
        return try resolve(user: user, group: group, in: confined, app: app)
    }

    /// `resolve` against an already open root.
    static func resolve(user: String, group: String, in root: ConfinedRoot, app: String?) throws -> (uid: UInt32, gid: UInt32) {
        let uid = try resolveOne(user, database: "/etc/passwd", kind: "user", root: root, app: app) { $0.st_uid }
        let gid = try resolveOne(group, database: "/etc/group", kind: "group", root: root, app: app) { $0.st_gid }
        return (uid, gid)
    }

    /// The home directory of `uid` in the root's /etc/passwd (the first entry with that uid).
    public static func home(uid: UInt32, root: String) -> String? {
        guard let confined = try? ConfinedRoot(root) else { return nil }
        return home(uid: uid, in: confined)
    }

    static func home(uid: UInt32, in root: ConfinedRoot) -> String? {
        guard let entries = try? entries(of: "/etc/passwd", in: root) else { return nil }
        return entries.first { $0.count > 5 && UInt32($0[2]) == uid }.map { $0[5] }.flatMap { $0.isEmpty ? nil : $0 }
    }

    private static func resolveOne(
        _ value: String, database: String, kind: String, root: ConfinedRoot, app: String?, owner: (stat) -> UInt32
    ) throws -> UInt32 {
        let subject = (app.map { "app \(quote($0)): " } ?? "") + "\(kind) \(quote(value))"
        guard !value.isEmpty else { throw SkiffError(.invalid, "\(subject): empty") }
        if let entries = try entries(of: database, in: root),
            let entry = entries.first(where: { $0.count > 2 && $0[0] == value }),
            let id = UInt32(entry[2])
        {
            return id
        }
        if value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            guard let id = UInt32(value), id != UInt32.max else { throw SkiffError(.invalid, "\(subject): id out of range") }
            return id
        }
        if value.hasPrefix("/") {
            guard let st = root.status(value) else {
                throw SkiffError.system("\(subject): stat the file inside the app's root")
            }
            return owner(st)
        }
        throw SkiffError(.notFound, "\(subject): not in the image's \(database), not a number, not a path")
    }

    /// The colon-separated fields of every entry of a passwd/group file in the root; nil when the
    /// file does not exist there. Comments, blank lines and NIS "+"/"-" lines are skipped.
    static func entries(of database: String, in root: ConfinedRoot) throws -> [[String]]? {
        guard let bytes = try root.read(database, limit: 16 << 20) else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SkiffError.system("read \(database) inside \(quote(root.path))")
        }
        var result: [[String]] = []
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let first = line.first, first != UInt8(ascii: "#"), first != UInt8(ascii: "+"), first != UInt8(ascii: "-") else {
                continue
            }
            result.append(line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) })
        }
        return result
    }
}
