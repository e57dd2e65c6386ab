// Streaming SHA-256 / SHA-512 and HMAC, backed by libcrypto (assembly with SHA-NI/AVX2 where the
// CPU has them): hashing an image must not be slower than reading it.
import COpenSSL

/// A hash algorithm Skiff uses for content addresses.
public enum DigestAlgorithm: String, Sendable, CaseIterable {
    case sha256
    case sha512

    /// The digest length in bytes.
    public var byteCount: Int { self == .sha256 ? 32 : 64 }

    var evp: OpaquePointer? { self == .sha256 ? EVP_sha256() : EVP_sha512() }
}

/// An incremental hash: feed bytes with `update`, then `finalize` once.
public final class Digest {
    public let algorithm: DigestAlgorithm
    /// A SHA256_CTX or a SHA512_CTX, by `algorithm`.
    private let context: UnsafeMutableRawPointer
    private var finished = false

    public init(_ algorithm: DigestAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha256:
            let context = UnsafeMutablePointer<SHA256_CTX>.allocate(capacity: 1)
            SHA256_Init(context)
            self.context = UnsafeMutableRawPointer(context)
        case .sha512:
            let context = UnsafeMutablePointer<SHA512_CTX>.allocate(capacity: 1)
            SHA512_Init(context)
            self.context = UnsafeMutableRawPointer(context)
        }
    }

    deinit { context.deallocate() }

    /// Adds bytes.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "Digest.update after finalize")
        guard bytes.count > 0 else { return }
        switch algorithm {
        case .sha256: SHA256_Update(context.assumingMemoryBound(to: SHA256_CTX.self), bytes.baseAddress, bytes.count)
        case .sha512: SHA512_Update(context.assumingMemoryBound(to: SHA512_CTX.self), bytes.baseAddress, bytes.count)
        }
    }

    /// Adds bytes.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything added.
    public func finalize() -> [UInt8] {
        precondition(!finished, "Digest.finalize twice")
        finished = true
        var out = [UInt8](repeating: 0, count: algorithm.byteCount)
        switch algorithm {
        case .sha256: SHA256_Final(&out, context.assumingMemoryBound(to: SHA256_CTX.self))
        case .sha512: SHA512_Final(&out, context.assumingMemoryBound(to: SHA512_CTX.self))
        }
        return out
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ algorithm: DigestAlgorithm, _ bytes: [UInt8]) -> [UInt8] {
        let digest = Digest(algorithm)
        digest.update(bytes)
        return digest.finalize()
    }

    /// HMAC of `message` under `key`.
    public static func hmac(_ algorithm: DigestAlgorithm, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                _ = HMAC(
                    algorithm.evp, k.baseAddress, Int32(k.count), m.baseAddress?.assumingMemoryBound(to: UInt8.self),
                    m.count, &out, &length)
            }
        }
        return Array(out[0..<Int(length)])
    }
}

extension Array where Element == UInt8 {
    /// Lowercase hexadecimal.
    public var hexString: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
