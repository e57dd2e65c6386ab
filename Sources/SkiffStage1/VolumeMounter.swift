// Mounting an app's volumes into its root (appc pods.md "volumes", checklist E.52 and F.57-62).
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
import SkiffSystem

/// Volumes for an app: every mount of the pod manifest's app entry (pod volumes and appVolume),
/// host volumes bound from their source (read-only and recursive as the volume says) and empty
/// volumes bound from `sharedVolumes/<name>`.
public enum VolumeMounter {
    /// Mounts every volume of `app` into `appRoot`, parents before children, and returns the
    /// host paths mounted on, in order. On failure, unmounts what it mounted, then throws.
    ///
    /// - `readOnly`: the volume's flag, else the app's mount point of that name, else false.
    /// - `recursive` (host volumes): the volume's flag, else `recursiveDefault` (appc: true).
    /// - empty volumes: `sharedVolumes/<name>` (stage0 creates it; missing, it is created here with
    ///   the volume's mode, uid and gid, since stage0 only creates those of pod-level volumes).
    @discardableResult
    public static func mount(
        app: RuntimeApp, manifest: PodManifest, paths: PodPaths, appRoot: String, recursiveDefault: Bool,
        log: (String) -> Void = { _ in }
    ) throws -> [String] {
        let name = app.name.value
        let ordered = app.mounts.enumerated().sorted { (lhs, rhs) in
            let (left, right) = (depth(lhs.element.path), depth(rhs.element.path))
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
        var seen = Set<String>()
        for entry in ordered where !seen.insert(normalized(entry.path)).inserted {
            throw SkiffError(.invalid, "app \(quote(name)): two volumes are mounted on \(quote(entry.path))")
        }
        let root = try ConfinedRoot(appRoot)
        var mounted: [String] = []
        do {
            for entry in ordered {
                guard let volume = entry.appVolume ?? manifest.volumes.first(where: { $0.name == entry.volume }) else {
                    throw SkiffError(.notFound, "app \(quote(name)): volume \(quote(entry.volume.value)): not in the pod manifest")
                }
                let subject = "app \(quote(name)): volume \(quote(volume.name.value))"
                let readOnly = volume.readOnly ?? app.app?.mountPoints.first { $0.name == entry.volume }?.readOnly ?? false
                let source = try self.source(of: volume, paths: paths, subject: subject)
                var st = stat()
                try check("\(subject): source \(quote(source))") { stat(source, &st) }
                let isDirectory = st.st_mode & S_IFMT == S_IFDIR
                let target = try prefixing(subject) { try Mounts.confinedTarget(entry.path, in: root, directory: isDirectory) }
                if isDirectory, let names = try? FileSystem.list(target), !names.isEmpty {
                    log("\(subject): mounting over \(quote(entry.path)), which is not empty in the image")
                }
                let recursive = volume.kind == .host ? (volume.recursive ?? recursiveDefault) : false
                log("\(subject): bind \(quote(source)) on \(quote(target))\(recursive ? " recursively" : "")\(readOnly ? " read-only" : "")")
                try prefixing(subject) { try Mounts.bind(source, on: target, recursive: recursive, readOnly: readOnly) }
                mounted.append(target)
            }
        } catch {
            for target in mounted.reversed() { try? Mounts.unmount(target) }
            throw error
        }
        return mounted
    }

    /// The host directory or file a volume's mounts bind.
    static func source(of volume: Volume, paths: PodPaths, subject: String) throws -> String {
        switch volume.kind {
        case .host:
            guard let source = volume.source, source.hasPrefix("/") else {
                throw SkiffError(.invalid, "\(subject): a host volume needs an absolute source")
            }
            return source
        case .empty:
            let directory = paths.sharedVolume(volume.name.value)
            if !FileSystem.exists(directory) {
                try FileSystem.createDirectory(paths.root + "/sharedVolumes", mode: 0o755)
                try check("\(subject): mkdir \(quote(directory))") { mkdir(directory, 0o755) }
                let mode = mode_t(volume.mode.flatMap { UInt32($0, radix: 8) } ?? 0o755)
                try check("\(subject): chmod \(quote(directory))") { chmod(directory, mode) }
                if geteuid() == 0 {
                    try check("\(subject): chown \(quote(directory))") {
                        chown(directory, uid_t(volume.uid ?? 0), gid_t(volume.gid ?? 0))
                    }
                }
            }
            return directory
        }
    }

    /// Runs `body`, putting `subject` in front of the message of a SkiffError it throws.
    private static func prefixing<T>(_ subject: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SkiffError {
            throw SkiffError(error.code, "\(subject): \(error.message)", errno: error.errno)
        }
    }

    private static func depth(_ path: String) -> Int { path.split(separator: "/").count }

    private static func normalized(_ path: String) -> String {
        "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}
