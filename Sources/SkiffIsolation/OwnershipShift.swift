// Shifting the ownership of a tree into a user namespace range: every uid/gid N becomes
// start + N, so files owned by root in the image are owned by the pod's root. Used on the
// copied app rootfs (or an overlay's upper directory) at render time, as rkt did for
// --private-users. Volumes are not shifted (the host's files keep their owners; an app sees
// them as nobody unless the volume was prepared for the range), as with rkt.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// What a shift did.
public struct ShiftReport: Sendable, Equatable {
    /// Entries whose owner or group changed.
    public var shifted: Int = 0
    /// Entries with an id the range cannot map (≥ its count): left as they were; the app sees
    /// them as the overflow id (nobody).
    public var unmapped: Int = 0
    /// security.capability attributes rewritten for the range.
    public var capabilities: Int = 0
}

/// Ownership shifting.
public enum OwnershipShift {
    /// Shifts every entry of `tree` (the root included) by `range`, without following symbolic
    /// links (lchown semantics: a link's own owner changes, its target's does not) and without
    /// crossing into other mounts. Hard links are shifted once. A chown clears the setuid and
    /// setgid bits and the security.capability attribute, so both are put back: the mode as it
    /// was, the file capabilities rewritten for the namespace (see `rewriteCapability`).
    public static func shift(tree: String, by range: IDRange) throws -> ShiftReport {
        var report = ShiftReport()
        var seen = Set<[UInt64]>()
        var root = stat()
        try check("stat \(quote(tree))") { lstat(tree, &root) }
        try shiftEntry(tree, root, range, &report, &seen)
        if root.st_mode & S_IFMT == S_IFDIR { try walk(tree, device: root.st_dev, range, &report, &seen) }
        return report
    }

    private static func walk(_ directory: String, device: dev_t, _ range: IDRange, _ report: inout ShiftReport, _ seen: inout Set<[UInt64]>) throws {
        for name in try FileSystem.list(directory) {
            let path = directory + "/" + name
            var st = stat()
            try check("stat \(quote(path))") { lstat(path, &st) }
            if st.st_dev != device { continue }  // a mount point: not ours to change
            try shiftEntry(path, st, range, &report, &seen)
            if st.st_mode & S_IFMT == S_IFDIR { try walk(path, device: device, range, &report, &seen) }
        }
    }

    private static func shiftEntry(_ path: String, _ st: stat, _ range: IDRange, _ report: inout ShiftReport, _ seen: inout Set<[UInt64]>) throws {
        let type = st.st_mode & S_IFMT
        if type != S_IFDIR && st.st_nlink > 1 {
            guard seen.insert([UInt64(st.st_dev), UInt64(st.st_ino)]).inserted else { return }
        }
        guard let uid = range.host(st.st_uid), let gid = range.host(st.st_gid) else {
            report.unmapped += 1
            return
        }
        let isLink = type == S_IFLNK
        let capability = isLink ? nil : try readCapability(path)
        try check("chown \(quote(path)) to \(uid):\(gid)") { fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW) }
        report.shifted += 1
        if !isLink && st.st_mode & (S_ISUID | S_ISGID) != 0 {
            try check("chmod \(quote(path))") { fchmodat(AT_FDCWD, path, st.st_mode & 0o7777, 0) }
        }
        if let capability, let rewritten = rewriteCapability(capability, rootID: range.start) {
            let rc = rewritten.withUnsafeBytes { sk_lsetxattr(path, "security.capability", $0.baseAddress, $0.count) }
            if rc < 0 { throw SkiffError.system("set the file capabilities of \(quote(path))") }
            report.capabilities += 1
        }
    }

    private static func readCapability(_ path: String) throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { sk_lgetxattr(path, "security.capability", $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == ENODATA || errno == ENOTSUP { return nil }
            throw SkiffError.system("read the file capabilities of \(quote(path))")
        }
        return Array(buffer[0..<n])
    }

    /// A security.capability value for a file in a user namespace whose root is host uid
    /// `rootID`: revision 2 (20 bytes, implicitly owned by the host's root, so ignored inside
    /// any user namespace) becomes revision 3 (24 bytes) with rootid = `rootID`; a revision 3
    /// value gets `rootID` added to its rootid. Nil for anything else (dropped then: the chown
    /// removed it).
    static func rewriteCapability(_ value: [UInt8], rootID: UInt32) -> [UInt8]? {
        guard value.count >= 4 else { return nil }
        let magic = UInt32(value[0]) | UInt32(value[1]) << 8 | UInt32(value[2]) << 16 | UInt32(value[3]) << 24
        let revision = magic & 0xFF00_0000
        let flags = magic & 0x00FF_FFFF
        var result: [UInt8]
        let newRoot: UInt32
        if revision == 0x0200_0000 && value.count == 20 {
            result = value
            newRoot = rootID
        } else if revision == 0x0300_0000 && value.count == 24 {
            result = Array(value[0..<20])
            let old = UInt32(value[20]) | UInt32(value[21]) << 8 | UInt32(value[22]) << 16 | UInt32(value[23]) << 24
            newRoot = rootID &+ old
        } else {
            return nil
        }
        let v3 = 0x0300_0000 | flags
        result[0] = UInt8(v3 & 0xff)
        result[1] = UInt8((v3 >> 8) & 0xff)
        result[2] = UInt8((v3 >> 16) & 0xff)
        result[3] = UInt8(v3 >> 24)
        result += [UInt8(newRoot & 0xff), UInt8((newRoot >> 8) & 0xff), UInt8((newRoot >> 16) & 0xff), UInt8(newRoot >> 24)]
        return result
    }
}
