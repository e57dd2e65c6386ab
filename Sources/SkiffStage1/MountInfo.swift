// Reading the mount table: which mounts exist where (for read-only fallbacks, cleanup and tests).
import SkiffSystem

/// The mount table of this process (/proc/self/mountinfo).
public enum MountInfo {
    /// Every mount point, in mount order, with the kernel's octal escapes (\040...) decoded.
    public static func mountPoints() throws -> [String] {
        let text = String(decoding: try FileSystem.read("/proc/self/mountinfo"), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            return fields.count > 4 ? decode(fields[4]) : nil
        }
    }

    /// The mount points at `path` or below it.
    public static func mountPoints(under path: String) throws -> [String] {
        let prefix = path.hasSuffix("/") ? path : path + "/"
        return try mountPoints().filter { $0 == path || $0.hasPrefix(prefix) }
    }

    static func decode(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
                let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
