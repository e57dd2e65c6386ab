// One member of a tar archive, as the reader returns it and the writer takes it.

/// A modification time with nanoseconds (PAX `mtime` carries fractions; ustar whole seconds).
public struct TarTimestamp: Sendable, Equatable {
    /// Seconds since the epoch (may be negative).
    public var seconds: Int64
    /// 0 ..< 1_000_000_000.
    public var nanoseconds: Int32

    /// A time of `seconds` plus `nanoseconds`.
    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }
}

/// The metadata of one archive member.
public struct TarEntry: Sendable, Equatable {
    /// What the member is.
    public enum Kind: Sendable, Equatable {
        case file, directory, symlink, hardlink, characterDevice, blockDevice, fifo
    }

    /// As stored (after GNU long-name / PAX `path`), no normalisation.
    public var path: String
    /// The member's kind.
    public var kind: Kind
    /// Permission bits incl. setuid/setgid/sticky (07777).
    public var mode: UInt32
    /// Numeric owner (names are ignored).
    public var uid: UInt32
    /// Numeric group (names are ignored).
    public var gid: UInt32
    /// Data size (0 for non-files).
    public var size: Int64
    /// Modification time.
    public var modified: TarTimestamp
    /// Symlink/hardlink target (GNU long link / PAX linkpath).
    public var linkTarget: String
    /// Device numbers of character and block devices.
    public var deviceMajor: UInt32
    /// Device numbers of character and block devices.
    public var deviceMinor: UInt32
    /// PAX SCHILY.xattr.* (and LIBARCHIVE.xattr.* base64).
    public var xattrs: [String: [UInt8]]

    /// An entry; only `path` and `kind` are required.
    public init(
        path: String, kind: Kind, mode: UInt32 = 0o644, uid: UInt32 = 0, gid: UInt32 = 0, size: Int64 = 0,
        modified: TarTimestamp = TarTimestamp(seconds: 0), linkTarget: String = "",
        deviceMajor: UInt32 = 0, deviceMinor: UInt32 = 0, xattrs: [String: [UInt8]] = [:]
    ) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.size = size
        self.modified = modified
        self.linkTarget = linkTarget
        self.deviceMajor = deviceMajor
        self.deviceMinor = deviceMinor
        self.xattrs = xattrs
    }
}
