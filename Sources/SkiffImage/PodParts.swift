// The parts of a pod manifest: apps, the images they run, volumes, mounts, exposed ports.

/// An app of a pod: a name, the image it runs, and how (the `app` section replaces the image's).
public struct RuntimeApp: Sendable, Equatable {
    public var name: ACName
    public var image: RuntimeImage
    /// How to run it; stage0 always writes it, complete.
    public var app: App?
    public var readOnlyRootFS: Bool
    public var mounts: [Mount]
    public var annotations: [Annotation]

    public init(
        name: ACName, image: RuntimeImage, app: App?, readOnlyRootFS: Bool = false, mounts: [Mount] = [],
        annotations: [Annotation] = []
    ) {
        self.name = name
        self.image = image
        self.app = app
        self.readOnlyRootFS = readOnlyRootFS
        self.mounts = mounts
        self.annotations = annotations
    }

    static func read(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> RuntimeApp {
        let object = try ObjectReader(value, at: path)
        let name = try ACName.read(try object.requiredString("name"), at: path.key("name"))
        guard let imageValue = object.value("image") else { throw SchemaError(path.key("image"), "required") }
        let image = try RuntimeImage.read(imageValue, at: path.key("image"))
        let app = try object.value("app").map { (value) throws(SchemaError) in try App.read(value, at: path.key("app")) }
        var mounts: [Mount] = []
        for (element, at) in try object.array("mounts") ?? [] { mounts.append(try Mount.read(element, at: at)) }
        return RuntimeApp(
            name: name, image: image, app: app, readOnlyRootFS: try object.bool("readOnlyRootFS") ?? false,
            mounts: mounts, annotations: try Annotation.readList(try object.array("annotations") ?? []))
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(name.value)), ("image", image.json)]
        if let app { members.append(("app", app.json)) }
        if readOnlyRootFS { members.append(("readOnlyRootFS", .bool(true))) }
        if !mounts.isEmpty { members.append(("mounts", .array(mounts.map(\.json)))) }
        if !annotations.isEmpty { members.append(("annotations", Annotation.json(annotations))) }
        return .object(members)
    }
}

/// The image of a pod app: its ID (required: the pod is reified), and the name and labels it was
/// asked for by.
public struct RuntimeImage: Sendable, Equatable {
    public var id: ImageID
    public var name: ACIdentifier?
    public var labels: [Label]

    public init(id: ImageID, name: ACIdentifier? = nil, labels: [Label] = []) {
        self.id = id
        self.name = name
        self.labels = labels
    }

    static func read(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> RuntimeImage {
        let object = try ObjectReader(value, at: path)
        let id = try ImageID.read(try object.requiredString("id"), at: path.key("id"))
        let name = try object.string("name").map { (text) throws(SchemaError) in try ACIdentifier.read(text, at: path.key("name")) }
        return RuntimeImage(id: id, name: name, labels: try Label.readList(try object.array("labels") ?? []))
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = []
        if let name { members.append(("name", .string(name.value))) }
        members.append(("id", .string(id.value)))
        if !labels.isEmpty { members.append(("labels", Label.json(labels))) }
        return .object(members)
    }
}

/// A pod volume: `host` (a host path) or `empty` (a fresh directory shared by the pod's apps).
public struct Volume: Sendable, Equatable {
    public enum Kind: String, Sendable { case host, empty }
    public var name: ACName
    public var kind: Kind
    /// host: the absolute host path.
    public var source: String?
    public var readOnly: Bool?
    /// host: bind recursively (default true).
    public var recursive: Bool?
    /// empty: octal mode ("0755"), uid and gid of the directory.
    public var mode: String?
    public var uid: Int?
    public var gid: Int?

    public init(
        name: ACName, kind: Kind, source: String? = nil, readOnly: Bool? = nil, recursive: Bool? = nil,
        mode: String? = nil, uid: Int? = nil, gid: Int? = nil
    ) {
        self.name = name
        self.kind = kind
        self.source = source
        self.readOnly = readOnly
        self.recursive = recursive
        self.mode = mode
        self.uid = uid
        self.gid = gid
    }

    static func read(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> Volume {
        let object = try ObjectReader(value, at: path)
        let name = try ACName.read(try object.requiredString("name"), at: path.key("name"))
        let kindText = try object.requiredString("kind")
        guard let kind = Kind(rawValue: kindText) else { throw SchemaError(path.key("kind"), string: kindText, "must be host or empty") }
        let source = try object.string("source")
        switch kind {
        case .host:
            guard let source, isAbsolutePath(source) else { throw SchemaError(path.key("source"), "a host volume needs an absolute source") }
        case .empty:
            if source != nil { throw SchemaError(path.key("source"), "an empty volume has no source") }
        }
        let mode = try object.string("mode")
        if let mode, mode.isEmpty || mode.count > 4 || !mode.allSatisfy({ ("0"..."7").contains($0) }) {
            throw SchemaError(path.key("mode"), string: mode, "not an octal mode")
        }
        let uid = try object.integer("uid", in: 0...4_294_967_294, "0...4294967294").map { Int($0) }
        let gid = try object.integer("gid", in: 0...4_294_967_294, "0...4294967294").map { Int($0) }
        return Volume(
            name: name, kind: kind, source: source, readOnly: try object.bool("readOnly"),
            recursive: try object.bool("recursive"), mode: mode, uid: uid, gid: gid)
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(name.value)), ("kind", .string(kind.rawValue))]
        if let source { members.append(("source", .string(source))) }
        if let readOnly { members.append(("readOnly", .bool(readOnly))) }
        if let recursive { members.append(("recursive", .bool(recursive))) }
        if let mode { members.append(("mode", .string(mode))) }
        if let uid { members.append(("uid", .number(Double(uid)))) }
        if let gid { members.append(("gid", .number(Double(gid)))) }
        return .object(members)
    }
}

/// A volume mounted into an app at `path` (an absolute path inside the app's root).
public struct Mount: Sendable, Equatable {
    public var volume: ACName
    public var path: String
    /// A volume defined right here instead of in the pod's volume list.
    public var appVolume: Volume?

    public init(volume: ACName, path: String, appVolume: Volume? = nil) {
        self.volume = volume
        self.path = path
        self.appVolume = appVolume
    }

    static func read(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> Mount {
        let object = try ObjectReader(value, at: path)
        let volume = try ACName.read(try object.requiredString("volume"), at: path.key("volume"))
        let target = try object.requiredString("path")
        guard isAbsolutePath(target) else { throw SchemaError(path.key("path"), string: target, "must be an absolute path") }
        let appVolume = try object.value("appVolume").map { (value) throws(SchemaError) in
            try Volume.read(value, at: path.key("appVolume"))
        }
        return Mount(volume: volume, path: target, appVolume: appVolume)
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [("volume", .string(volume.value)), ("path", .string(path))]
        if let appVolume { members.append(("appVolume", appVolume.json)) }
        return .object(members)
    }
}

/// A host port forwarded to a named app port.
public struct ExposedPort: Sendable, Equatable {
    public var name: ACName
    public var hostPort: UInt16
    public var hostIP: String?

    public init(name: ACName, hostPort: UInt16, hostIP: String? = nil) {
        self.name = name
        self.hostPort = hostPort
        self.hostIP = hostIP
    }

    static func read(_ value: JSONValue, at path: FieldPath) throws(SchemaError) -> ExposedPort {
        let object = try ObjectReader(value, at: path)
        let name = try ACName.read(try object.requiredString("name"), at: path.key("name"))
        guard let port = try object.integer("hostPort", in: 1...65535, "1...65535") else {
            throw SchemaError(path.key("hostPort"), "required")
        }
        return ExposedPort(name: name, hostPort: UInt16(port), hostIP: try object.string("hostIP"))
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(name.value)), ("hostPort", .number(Double(hostPort)))]
        if let hostIP { members.append(("hostIP", .string(hostIP))) }
        return .object(members)
    }
}
