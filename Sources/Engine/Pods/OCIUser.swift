// The `User` of an OCI image config, resolved the way Docker (runc) does, inside the image:
// "" is root; "name" or "uid" takes the primary group from the image's /etc/passwd (0 for a uid
// it does not list); "user:group" resolves each half (names through /etc/passwd, /etc/group);
// the groups of /etc/group that list the user by name become supplementary groups. Stage0 does
// this when it prepares the pod, against the rendered tree, and hands stage1 numbers.
import SkiffImage
import SkiffRunOptions
import SkiffStage1
import SkiffStore

/// One image user resolved to numbers.
struct OCIUser: Equatable {
    var uid: UInt32
    var gid: UInt32
    var supplementaryGIDs: [UInt32]

    /// Resolves `spec` (config `User`) in the root filesystem at `rootfs`.
    static func resolve(_ spec: String, rootfs: String) throws -> OCIUser {
        let (userPart, groupPart) = OCIAppMapping.splitUser(spec)
        guard userPart != nil || groupPart != nil else { return OCIUser(uid: 0, gid: 0, supplementaryGIDs: []) }
        let root = try ConfinedRoot(rootfs)
        let passwd = try entries("/etc/passwd", in: root)
        let groups = try entries("/etc/group", in: root)
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        var name: String?
        if let userPart {
            if let number = numeric(userPart) {
                uid = number
                let entry = passwd.first { $0.count > 3 && UInt32($0[2]) == number }
                name = entry?[0]
                gid = entry.flatMap { UInt32($0[3]) } ?? 0
            } else {
                guard let entry = passwd.first(where: { $0.count > 3 && $0[0] == userPart }), let id = UInt32(entry[2]) else {
                    throw SkiffError(.notFound, "user \(quote(userPart)): not in the image's /etc/passwd")
                }
                uid = id
                name = userPart
                gid = UInt32(entry[3]) ?? 0
            }
        }
        if let groupPart {
            if let number = numeric(groupPart) {
                gid = number
            } else {
                guard let entry = groups.first(where: { $0.count > 2 && $0[0] == groupPart }), let id = UInt32(entry[2]) else {
                    throw SkiffError(.notFound, "group \(quote(groupPart)): not in the image's /etc/group")
                }
                gid = id
            }
        }
        var extra: [UInt32] = []
        if let name {
            for entry in groups where entry.count > 3 {
                let members = entry[3].split(separator: ",").map(String.init)
                if members.contains(name), let id = UInt32(entry[2]), id != gid, !extra.contains(id) { extra.append(id) }
            }
        }
        return OCIUser(uid: uid, gid: gid, supplementaryGIDs: extra.sorted())
    }

    private static func numeric(_ text: String) -> UInt32? {
        guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return UInt32(text)
    }

    /// The colon-separated fields of a passwd or group file of the image (none if it has none).
    private static func entries(_ file: String, in root: ConfinedRoot) throws -> [[String]] {
        guard let bytes = try root.read(file, limit: 16 << 20) else { return [] }
        return bytes.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let first = line.first, first != UInt8(ascii: "#") else { return nil }
            return line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
        }
    }
}

extension PodPreparer {
    /// The app section the pod starts from for an image: an ACI's as it is; an OCI image's with
    /// its `User` resolved to numbers in its rendered tree (unless --user and --group both
    /// replace it anyway).
    func imageApp(_ record: ImageRecord, manifest: ImageManifest, options: AppOptions) throws -> App? {
        guard var app = manifest.app, record.kind == "oci", options.user == nil || options.group == nil else {
            return manifest.app
        }
        let id = try record.imageID
        let spec = try store.ociImage(id).config.user
        guard !spec.isEmpty else { return app }
        let tree = try TreeStore(images: store).render(try RenderPlan.steps(for: id, store: store))
        let user: OCIUser
        do { user = try OCIUser.resolve(spec, rootfs: tree.rootfs) } catch let error as SkiffError {
            throw SkiffError(error.code, "image \(quote(record.displayName)): \(error.message)", errno: error.errno)
        }
        app.user = String(user.uid)
        app.group = String(user.gid)
        app.supplementaryGIDs = user.supplementaryGIDs
        return app
    }
}
