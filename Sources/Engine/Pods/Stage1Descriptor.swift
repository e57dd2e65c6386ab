// What starting a prepared pod needs of its stage1 image manifest: its name and annotations.
import SkiffImage
import SkiffSystem

/// The stage1 image's name and annotations (entrypoints, interface version, flavor, network
/// capability). `run-prepared` reads them from the pod's copy of the manifest without the full
/// schema validation (0.1 ms of every start): prepare copied those bytes from the store, where
/// the manifest was validated when the image was fetched.
struct Stage1Descriptor {
    let name: String
    let annotations: [(name: String, value: String)]

    init(_ manifest: ImageManifest) {
        name = manifest.name.value
        annotations = manifest.annotations.map { ($0.name.value, $0.value) }
    }

    /// Reads the pod's `stage1/manifest`.
    init(podCopy bytes: [UInt8], path: String) throws {
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch { throw SkiffError(.invalid, "read \(quote(path)): \(error)") }
        guard let name = value["name"]?.stringValue else {
            throw SkiffError(.invalid, "read \(quote(path)): not an image manifest (no name)")
        }
        self.name = name
        annotations = (value["annotations"]?.arrayValue ?? []).compactMap { entry in
            guard let name = entry["name"]?.stringValue, let value = entry["value"]?.stringValue else { return nil }
            return (name, value)
        }
    }

    /// The value of an annotation, nil if the manifest has none of that name.
    func annotation(_ key: String) -> String? { annotations.first { $0.name == key }?.value }
}
