// AC Version (types.md): a non-empty Semantic Versioning 2.0.0 string. "0.8" and "v0.8.11" are
// not versions.
import SkiffSystem

/// A Semantic Versioning 2.0.0 version such as `0.8.11` or `1.0.0-rc.1+build.5`.
public struct SemVer: Sendable, Comparable, Hashable, Codable, CustomStringConvertible {
    /// The major version.
    public let major: UInt64
    /// The minor version.
    public let minor: UInt64
    /// The patch version.
    public let patch: UInt64
    /// Dot-separated pre-release identifiers (after "-"); empty for a release.
    public let preRelease: [String]
    /// Dot-separated build metadata identifiers (after "+").
    public let build: [String]

    /// The appc spec version Skiff writes into the manifests it creates.
    public static let appc = SemVer(major: 0, minor: 8, patch: 11)

    /// Parses `text` strictly (no "v" prefix, no leading zeros in numbers, no empty identifiers).
    public init(validating text: String) throws {
        guard let version = SemVer.parse(text) else { throw SkiffError(.invalid, "\(quote(text)): not a semantic version") }
        self = version
    }

    /// A release or pre-release version from its parts.
    public init(major: UInt64, minor: UInt64, patch: UInt64, preRelease: [String] = [], build: [String] = []) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.preRelease = preRelease
        self.build = build
    }

    public var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !preRelease.isEmpty { text += "-" + preRelease.joined(separator: ".") }
        if !build.isEmpty { text += "+" + build.joined(separator: ".") }
        return text
    }

    static func parse(_ text: String) -> SemVer? {
        var rest = Substring(text)
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            build = rest[rest.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard build.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(isIdentifierByte) }) else { return nil }
            rest = rest[..<plus]
        }
        var preRelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            preRelease = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            for identifier in preRelease {
                guard !identifier.isEmpty, identifier.utf8.allSatisfy(isIdentifierByte) else { return nil }
                if identifier.utf8.allSatisfy(isDigit), identifier.count > 1, identifier.hasPrefix("0") { return nil }
            }
            rest = rest[..<dash]
        }
        let core = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3 else { return nil }
        var numbers: [UInt64] = []
        for part in core {
            guard !part.isEmpty, part.utf8.allSatisfy(isDigit), part == "0" || !part.hasPrefix("0"),
                let number = UInt64(part)
            else { return nil }
            numbers.append(number)
        }
        return SemVer(major: numbers[0], minor: numbers[1], patch: numbers[2], preRelease: preRelease, build: build)
    }

    /// Semantic Versioning precedence; versions of equal precedence that differ only in build
    /// metadata are ordered by that metadata's text, so `<` stays a total order consistent with `==`.
    public static func < (lhs: SemVer, rhs: SemVer) -> Bool {
        if lhs.major != rhs.major { return lhs.major < rhs.major }
        if lhs.minor != rhs.minor { return lhs.minor < rhs.minor }
        if lhs.patch != rhs.patch { return lhs.patch < rhs.patch }
        if lhs.preRelease != rhs.preRelease {
            // A release outranks any of its pre-releases.
            if lhs.preRelease.isEmpty { return false }
            if rhs.preRelease.isEmpty { return true }
            for (a, b) in zip(lhs.preRelease, rhs.preRelease) where a != b {
                switch (UInt64(a), UInt64(b)) {
                case (let x?, let y?): return x < y
                case (.some, nil): return true
                case (nil, .some): return false
                case (nil, nil): return a < b
                }
            }
            return lhs.preRelease.count < rhs.preRelease.count
        }
        return lhs.build.joined(separator: ".") < rhs.build.joined(separator: ".")
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let version = SemVer.parse(text) else { throw corrupted(decoder, "\(quote(text)): not a semantic version") }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

private func isIdentifierByte(_ byte: UInt8) -> Bool {
    isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
        || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "-")
}
