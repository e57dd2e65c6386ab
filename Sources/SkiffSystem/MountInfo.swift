// The mount table of this process (/proc/self/mountinfo, proc(5)), read as bytes with its paths
// decoded: one reader for the stage1s, pod clean-up, cgroup detection and the tests' leak checks.

/// The mount table of this process.
public enum MountInfo {
    /// Every mount point, in mount order.
    public static func mountPoints() throws -> [String] {
        try FileSystem.read("/proc/self/mountinfo", limit: 64 << 20).split(separator: UInt8(ascii: "\n")).compactMap(mountPoint)
    }

    /// The mount points at `path` or below it, in mount order.
    public static func mountPoints(under path: String) throws -> [String] {
        let prefix = path.hasSuffix("/") ? path : path + "/"
        return try mountPoints().filter { $0 == path || $0.hasPrefix(prefix) }
    }

    /// The mount point of one line ("36 35 98:0 /mnt1 /mnt/parent rw ... - ext3 ...": field 5).
    public static func mountPoint(_ line: ArraySlice<UInt8>) -> String? {
        let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 5, omittingEmptySubsequences: false)
        return fields.count >= 5 ? unescape(fields[4]) : nil
    }

    /// mountinfo escapes space, tab, newline and backslash as \ooo (three octal digits);
    /// anything else, an incomplete escape included, is kept as written.
    public static func unescape<Bytes: Collection<UInt8>>(_ field: Bytes) -> String {
        let bytes = Array(field)
        // \ooo with a value up to \377: the first digit 0-3, the others octal.
        let isLeadingDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "3")).contains(byte) }
        let isOctalDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 3 < bytes.count, isLeadingDigit(bytes[index + 1]),
                isOctalDigit(bytes[index + 2]), isOctalDigit(bytes[index + 3])
            {
                let digits = bytes[(index + 1)...(index + 3)].map { $0 - UInt8(ascii: "0") }
                out.append(digits[0] * 64 + digits[1] * 8 + digits[2])
                index += 4
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `unescape` of text.
    public static func unescape(_ text: some StringProtocol) -> String { unescape(text.utf8) }
}
