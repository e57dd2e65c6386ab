// Lays out a busybox root filesystem in a directory, format-independently; a packager then
// turns it into an ACI (or, later, an OCI image).
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// A staged image: `<directory>/rootfs/` plus what the packager needs to know about it.
public struct StagedImage: Sendable {
    /// The staging directory (holds `rootfs/`).
    public let directory: String
    /// The image manifest text (ACI form).
    public let manifestJSON: String
    /// Paths relative to `directory` (e.g. `rootfs/home/user`) whose entries, recursively, must be
    /// owned by someone other than root in the image. Staging runs unprivileged, so owners are
    /// applied by the packager (tar `--owner`), not with chown.
    public let owners: [String: (uid: UInt32, gid: UInt32)]
    /// What the image was staged from (the OCI packagers write its app as an image config).
    public let recipe: TestImageRecipe

    /// `<directory>/rootfs`.
    public var rootfs: String { directory + "/rootfs" }
}

/// The standard busybox rootfs of test images.
public enum TestRootfs {
    /// /etc/passwd: root, `user` (1000:1000, home /home/user) and nobody.
    public static let passwd = """
        root:x:0:0:root:/root:/bin/sh
        user:x:1000:1000:user:/home/user:/bin/sh
        nobody:x:65534:65534:nobody:/nonexistent:/bin/false

        """
    /// /etc/group: root, user, `extra` (1001, with user as a member) and nogroup.
    public static let group = """
        root:x:0:
        user:x:1000:
        extra:x:1001:user
        nogroup:x:65534:

        """

    /// Stages `recipe`'s rootfs in `directory/rootfs`: standard directories, busybox and one
    /// symlink per applet in /bin, /probe, /etc files, /home/user (owned by 1000), extra files.
    public static func stage(
        _ recipe: TestImageRecipe, busybox: String, probe: String?, in directory: String
    ) throws -> StagedImage {
        let rootfs = directory + "/rootfs"
        let directories: [(String, mode_t)] = [
            ("", 0o755), ("bin", 0o755), ("sbin", 0o755), ("usr", 0o755), ("usr/bin", 0o755), ("usr/sbin", 0o755),
            ("etc", 0o755), ("dev", 0o755), ("proc", 0o555), ("sys", 0o555), ("run", 0o755), ("var", 0o755),
            ("var/tmp", 0o1777), ("tmp", 0o1777), ("root", 0o700), ("home", 0o755), ("home/user", 0o755),
            ("mnt", 0o755), ("opt", 0o755),
        ]
        for (path, mode) in directories {
            let full = path.isEmpty ? rootfs : rootfs + "/" + path
            try FileSystem.createDirectory(full)
            try check("chmod \(quote(full))") { chmod(full, mode) }  // exact modes, whatever the umask
        }
        try copy(busybox, to: rootfs + "/bin/busybox", mode: 0o755)
        for applet in try applets(of: busybox) {
            try check("symlink \(quote(rootfs + "/bin/" + applet))") { symlink("busybox", rootfs + "/bin/" + applet) }
        }
        if let probe { try copy(probe, to: rootfs + "/probe", mode: 0o755) }
        try write(rootfs + "/etc/passwd", passwd, mode: 0o644)
        try write(rootfs + "/etc/group", group, mode: 0o644)
        try write(rootfs + "/etc/hosts", "127.0.0.1 localhost\n::1 localhost\n", mode: 0o644)

        var owners: [String: (uid: UInt32, gid: UInt32)] = ["rootfs/home/user": (1000, 1000)]
        for file in recipe.files {
            let full = rootfs + "/" + file.path
            guard !file.path.split(separator: "/").contains("..") else {
                throw SkiffError(.invalid, "stage test file \(quote(file.path)): path escapes the rootfs")
            }
            try FileSystem.createDirectory(FileSystem.parentPath(full))
            unlink(full)  // a recipe file may replace a standard one, symlinks included
            try write(full, file.contents, mode: mode_t(file.mode))
            if file.uid != 0 || file.gid != 0 { owners["rootfs/" + file.path] = (file.uid, file.gid) }
        }
        for (path, target) in recipe.symlinks.sorted(by: { $0.key < $1.key }) {
            guard !path.split(separator: "/").contains("..") else {
                throw SkiffError(.invalid, "stage test symlink \(quote(path)): path escapes the rootfs")
            }
            let full = rootfs + "/" + path
            try FileSystem.createDirectory(FileSystem.parentPath(full))
            try check("symlink \(quote(full))") { symlink(target, full) }
        }
        for path in recipe.omittedFiles {
            guard !path.split(separator: "/").contains("..") else {
                throw SkiffError(.invalid, "omit test file \(quote(path)): path escapes the rootfs")
            }
            try check("unlink \(quote(rootfs + "/" + path))") { unlink(rootfs + "/" + path) }
        }
        return StagedImage(directory: directory, manifestJSON: recipe.manifestJSON, owners: owners, recipe: recipe)
    }

    /// The applet names `busybox --list` prints (one per line), minus anything unsafe as a name.
    public static func applets(of busybox: String) throws -> [String] {
        let result = try Subprocess.run([busybox, "--list"])
        guard result.status == 0 else {
            throw SkiffError(
                .system, "list applets of \(quote(busybox)): exit \(result.status): \(result.stderrLastLine)")
        }
        return result.stdoutText.split(separator: "\n").map(String.init)
            .filter { !$0.isEmpty && $0 != "busybox" && !$0.contains("/") && $0 != "." && $0 != ".." }
    }

    /// Copies a regular file's bytes and sets `mode`.
    static func copy(_ source: String, to target: String, mode: mode_t) throws {
        let bytes = try FileSystem.read(source, limit: 256 << 20)
        let file = try FileDescriptor.open(target, O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        try file.write(bytes)
        try check("chmod \(quote(target))") { fchmod(file.raw, mode) }
    }

    /// Writes text to a new file and sets `mode` exactly.
    static func write(_ path: String, _ text: String, mode: mode_t) throws {
        let file = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        try file.write(Array(text.utf8))
        try check("chmod \(quote(path))") { fchmod(file.raw, mode) }
    }
}
