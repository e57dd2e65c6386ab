// The metadata service's state: registered pods (by secret token), their manifests, and the HMAC
// key that signs for them. Nothing is written to disk: a restarted service forgets its pods (as
// rkt's did) and pods register again on their next start.
import SkiffDigest
import SkiffImage
import SkiffSystem
import Synchronization

/// One registered pod.
struct RegisteredPod: Sendable {
    let uuid: String
    let token: String
    /// The address its requests must come from (nil: any).
    let address: String?
    /// The pod manifest bytes as registered, and parsed.
    let manifestBytes: [UInt8]
    let manifest: PodManifest
    /// Image manifests by app name: bytes as registered, and parsed.
    var images: [String: (bytes: [UInt8], manifest: ImageManifest)]
}

/// Registered pods and the signing key.
public final class MetadataRegistry: Sendable {
    private let pods = Mutex<[String: RegisteredPod]>([:])
    private let key: [UInt8]

    /// A registry with a fresh random 512-bit HMAC key.
    public init() { key = MetadataRegistry.randomBytes(64) }

    /// Registers a pod. `imageManifests` maps app names of the pod manifest to their image
    /// manifests (more can come with `registerApp`). `address`, when given, is the only source
    /// address the pod's requests are accepted from. `token` (hex, at least 128 bits) is made up
    /// when nil. Returns the token for AC_METADATA_URL. Registering a UUID again replaces it.
    @discardableResult
    public func register(
        uuid: String, podManifest: [UInt8], imageManifests: [String: [UInt8]] = [:], address: String? = nil, token: String? = nil
    ) throws -> String {
        guard MetadataRegistry.uuidBytes(uuid) != nil else { throw SkiffError(.invalid, "register pod \(quote(uuid)): not a canonical uuid") }
        let token = token ?? MetadataRegistry.randomBytes(32).hexString
        guard token.count >= 32, token.allSatisfy(\.isHexDigit) else {
            throw SkiffError(.invalid, "register pod \(uuid): the token must be at least 32 hex digits (128 bits)")
        }
        let manifest = try PodManifest.parse(podManifest)
        var pod = RegisteredPod(uuid: uuid, token: token, address: address, manifestBytes: podManifest, manifest: manifest, images: [:])
        for (app, bytes) in imageManifests { pod.images[app] = try MetadataRegistry.image(app, bytes, of: pod) }
        pods.withLock { table in
            for (existing, other) in table where other.uuid == uuid { table[existing] = nil }
            table[token] = pod
        }
        return token
    }

    /// Adds (or replaces) the image manifest of app `app` of a registered pod.
    public func registerApp(uuid: String, app: String, imageManifest: [UInt8]) throws {
        guard let pod = pods.withLock({ table in table.values.first { $0.uuid == uuid } }) else {
            throw SkiffError(.notFound, "register app \(quote(app)): pod \(uuid) is not registered")
        }
        let image = try MetadataRegistry.image(app, imageManifest, of: pod)
        pods.withLock { table in table[pod.token]?.images[app] = image }
    }

    /// Forgets a pod; false if it was not registered.
    @discardableResult
    public func unregister(uuid: String) -> Bool {
        pods.withLock { table in
            guard let token = table.first(where: { $0.value.uuid == uuid })?.key else { return false }
            table[token] = nil
            return true
        }
    }

    /// The pod registered under `token`.
    func pod(token: String) -> RegisteredPod? { pods.withLock { $0[token] } }

    private static func image(_ app: String, _ bytes: [UInt8], of pod: RegisteredPod) throws -> (bytes: [UInt8], manifest: ImageManifest) {
        guard pod.manifest.app(named: app) != nil else {
            throw SkiffError(.notFound, "register app \(quote(app)): no such app in pod \(pod.uuid)")
        }
        return (bytes, try ImageManifest.parse(bytes))
    }

    /// base64(HMAC-SHA512(key, uuid bytes ‖ content)), as rkt signed.
    func sign(uuid: String, content: [UInt8]) -> String? {
        guard let bytes = MetadataRegistry.uuidBytes(uuid) else { return nil }
        return Base64.encode(Digest.hmac(.sha512, key: key, message: bytes + content))
    }

    /// Whether `signature` (base64) is this service's signature of `content` for `uuid`.
    func verify(uuid: String, content: [UInt8], signature: String) -> Bool {
        guard let bytes = MetadataRegistry.uuidBytes(uuid), let given = Base64.decode(signature) else { return false }
        let expected = Digest.hmac(.sha512, key: key, message: bytes + content)
        guard given.count == expected.count else { return false }
        return zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0  // constant time
    }

    /// The 16 bytes of a canonical UUID (lowercase or uppercase hex, 8-4-4-4-12).
    static func uuidBytes(_ uuid: String) -> [UInt8]? {
        let characters = Array(uuid)
        guard characters.count == 36, [8, 13, 18, 23].allSatisfy({ characters[$0] == "-" }) else { return nil }
        let hex = characters.filter { $0 != "-" }
        guard hex.count == 32, hex.allSatisfy(\.isHexDigit) else { return nil }
        return stride(from: 0, to: 32, by: 2).compactMap { UInt8(String(hex[$0...($0 + 1)]), radix: 16) }
    }

    /// Bytes from the system's cryptographic generator (getrandom).
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

/// RFC 4648 base64 with padding.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let chunk = Array(bytes[start..<min(start + 3, bytes.count)]) + [0, 0]
            let value = UInt32(chunk[0]) << 16 | UInt32(chunk[1]) << 8 | UInt32(chunk[2])
            for position in 0..<4 {
                out.append(position <= bytes.count - start ? alphabet[Int(value >> UInt32(18 - 6 * position) & 63)] : UInt8(ascii: "="))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        for start in stride(from: 0, to: characters.count, by: 4) {
            var value: UInt32 = 0
            var padding = 0
            for (offset, character) in characters[start..<(start + 4)].enumerated() {
                if character == UInt8(ascii: "=") {
                    guard start + 4 == characters.count, offset >= 2 else { return nil }
                    padding += 1
                    value <<= 6
                    continue
                }
                guard padding == 0, let index = alphabet.firstIndex(of: character) else { return nil }
                value = value << 6 | UInt32(index)
            }
            let decoded = [UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
            out += decoded.prefix(3 - padding)
        }
        return out
    }
}
