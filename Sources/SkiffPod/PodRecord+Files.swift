// What a pod's files say: the manifest, the stage1's pid, the apps' exit statuses.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffStage1
import SkiffSystem

extension PodRecord {
    /// The pod manifest (`pod`), parsed and validated.
    public func manifest() throws -> PodManifest {
        try withPodError("read the manifest of", uuid) { try PodManifest.parse(try FileSystem.read(paths.manifest)) }
    }

    /// The PID the stage1 wrote to `pid`: nil while the file does not exist or is empty (stage0
    /// creates it empty); an error if it is not a positive decimal number.
    public func pid() throws -> Int32? {
        try withPodError("read the pid of", uuid) {
            guard let text = try PodRecord.readIfPresent(paths.pid) else { return nil }
            guard let pid = PodRecord.decimal(text), pid > 0 else {
                throw SkiffError(.invalid, "\(quote(paths.pid)): \(quote(text)) is not a process id")
            }
            return pid
        }
    }

    /// The exit status of every app of the manifest that has one, by app name: read from the
    /// stage1 root (`skiff/status/<app>`, while it is mounted) or else from the stage1 overlay's
    /// upper directory (after the mounts are gone). Reads the manifest.
    public func appStatuses() throws -> [String: Int32] {
        try appStatuses(of: try manifest())
    }

    /// `appStatuses()` for a manifest the caller has already read (list reads it anyway: parsing
    /// it once per pod instead of twice matters with a thousand pods).
    public func appStatuses(of manifest: PodManifest) throws -> [String: Int32] {
        let names = manifest.apps.map(\.name.value)
        return try withPodError("read the app statuses of", uuid) {
            var statuses: [String: Int32] = [:]
            for name in names {
                for path in [paths.appStatus(name), paths.appStatusInUpper(name)] {
                    guard let text = try PodRecord.readIfPresent(path) else { continue }
                    guard let status = PodRecord.decimal(text), status >= 0 else {
                        throw SkiffError(.invalid, "\(quote(path)): \(quote(text)) is not an exit status")
                    }
                    statuses[name] = status
                    break
                }
            }
            return statuses
        }
    }

    /// When an exited pod exited, Unix seconds: the newest mtime of the app status files (in
    /// either place `appStatuses` looks; the status directories are listed, the manifest is not
    /// read) or, failing that, the pod directory's mtime. nil for pods that are not exited
    /// (running, or not in run/ or exited-garbage/) and for pods that are gone.
    public var exitedAt: Int64? {
        switch state {
        case .run: if (try? isLocked()) != false { return nil }
        case .exitedGarbage: break
        case .embryo, .prepare, .prepared, .garbage: return nil
        }
        var newest: Int64?
        for directory in [paths.statusDirectory, statusDirectoryInUpper] {
            for name in (try? FileSystem.list(directory)) ?? [] {
                if let time = PodRecord.writtenTime(directory + "/" + name).map({ Int64($0.tv_sec) }) {
                    newest = max(newest ?? time, time)
                }
            }
        }
        return newest ?? PodRecord.modificationTime(path).map { Int64($0.tv_sec) }
    }

    /// The directory of `PodPaths.appStatusInUpper` files (derived from it, so the layout stays
    /// defined in one place).
    private var statusDirectoryInUpper: String { FileSystem.parentPath(paths.appStatusInUpper("app")) }

    /// The text of a small file, or nil if it does not exist or is empty (a `pid` or status file
    /// stage0 made and the stage1 has not written yet).
    static func readIfPresent(_ path: String) throws -> String? {
        do {
            let bytes = try FileSystem.read(path, limit: 4096)
            return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
        } catch let error as SkiffError where error.errno == ENOENT {
            return nil
        }
    }

    /// A decimal number with optional surrounding ASCII whitespace (the files end with a newline).
    static func decimal(_ text: String) -> Int32? {
        let isSpace = { (byte: UInt8) in byte == 0x20 || (0x09...0x0d).contains(byte) }
        let bytes = Array(text.utf8)
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return nil }
        let last = bytes.lastIndex { !isSpace($0) } ?? first
        let digits = bytes[first...last]
        guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int32(String(decoding: digits, as: UTF8.self))
    }
}
