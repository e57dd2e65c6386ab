// Dependencies (aci.md "dependencies", "Dependency Matching"): images rendered under this one,
// found by name and labels, pinned by image ID and bounded by size when those are given.
import SkiffSystem

/// An image this image is layered on.
public struct Dependency: Sendable, Equatable, Codable {
    /// The dependency's image name.
    public var imageName: ACIdentifier
    /// When set, the image found must have exactly this ID.
    public var imageID: ImageID?
    /// Labels the image found must carry (others are free).
    public var labels: [Label]
    /// When set, the image found must be this many bytes (the "endless data" defence).
    public var size: UInt64?

    /// A dependency on `imageName`, optionally pinned, labelled and sized.
    public init(imageName: ACIdentifier, imageID: ImageID? = nil, labels: [Label] = [], size: UInt64? = nil) {
        self.imageName = imageName
        self.imageID = imageID
        self.labels = labels
        self.size = size
    }

    /// The labels as a dictionary (names are unique).
    public var labelDictionary: [String: String] {
        Dictionary(labels.map { ($0.name.value, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Checks a fetched image against this dependency: its ID when `imageID` is set, otherwise
    /// its name and labels; and its size (the uncompressed archive's byte count) when `size` is set.
    public func check(id: ImageID, manifest: ImageManifest, size fetchedSize: UInt64? = nil) throws {
        let subject = "dependency \(quote(imageName.value))"
        if let imageID {
            guard imageID == id else {
                throw SkiffError(.invalid, "\(subject): found image \(id.short), but the manifest pins \(imageID.short)")
            }
        } else {
            guard manifest.name == imageName else {
                throw SkiffError(.invalid, "\(subject): found image is named \(quote(manifest.name.value))")
            }
            for label in labels where manifest.label(label.name.value) != label.value {
                throw SkiffError(
                    .invalid,
                    "\(subject): found image has \(label.name.value)=\(quote(manifest.label(label.name.value) ?? "")), "
                        + "want \(quote(label.value))")
            }
        }
        if let size, let fetchedSize, size != fetchedSize {
            throw SkiffError(.invalid, "\(subject): found image is \(fetchedSize) bytes, but the manifest says \(size)")
        }
    }

    static func read(_ element: JSONValue, at path: FieldPath) throws(SchemaError) -> Dependency {
        let object = try ObjectReader(element, at: path)
        let name = try ACIdentifier.read(try object.presentString("imageName"), at: path.key("imageName"))
        let id = try object.string("imageID").map { (text) throws(SchemaError) in try ImageID.read(text, at: path.key("imageID")) }
        let labels = try Label.readList(try object.array("labels") ?? [])
        let size = try object.integer("size", in: 0...18_446_744_073_709_549_568, "0...18446744073709551615")
        return Dependency(imageName: name, imageID: id, labels: labels, size: size.map { UInt64($0) })
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [("imageName", .string(imageName.value))]
        if let imageID { members.append(("imageID", .string(imageID.value))) }
        if !labels.isEmpty { members.append(("labels", Label.json(labels))) }
        if let size { members.append(("size", .number(Double(size)))) }
        return .object(members)
    }

    public init(from decoder: any Decoder) throws {
        self = try decodeSchema(decoder) { (value, path) throws(SchemaError) in try Dependency.read(value, at: path) }
    }

    public func encode(to encoder: any Encoder) throws { try json.encode(to: encoder) }
}
