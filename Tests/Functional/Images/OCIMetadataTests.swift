// Metadata through an OCI layer: a tree made on disk (numeric owners, setuid and sticky modes,
// nanosecond mtimes, xattrs, hard links, symlinks, a FIFO), packed by GNU tar the way image
// builders pack one, fetched by digest from a layout and rendered: the rendered tree must equal
// the source, metadata included.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class OCIMetadataTests: XCTestCase {
    var world: SkiffHarness!
    var content: OCITestContent!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SkiffHarness.binary), "no skiff binary: build first")
        try XCTSkipUnless(geteuid() == 0, "owners and setuid files need root")
        world = try SkiffHarness()
        content = OCITestContent(scratch: world.scratch)
    }

    override func tearDown() { world = nil }

    func testRenderingKeepsOwnersModesMtimesXattrsAndLinks() throws {
        let source = world.scratch + "/source"
        try makeTree(source)
        XCTAssertEqual(
            try TreeComparison.extendedAttributes(source + "/etc/app.conf"), ["user.skiff.note=" + Array("kept".utf8).hexString],
            "the file system of the scratch directory keeps user xattrs")

        let tarPath = world.scratch + "/layer.tar"
        let tar = try Subprocess.run([
            "tar", "--create", "--file=" + tarPath, "--format=pax", "--sort=name", "--numeric-owner", "--xattrs",
            "--xattrs-include=*", "-C", source, ".",
        ])
        XCTAssertEqual(tar.status, 0, tar.stderrText)
        let gzip = try Subprocess.run(["gzip", "-n", "-c", tarPath])
        XCTAssertEqual(gzip.status, 0, gzip.stderrText)
        let layer = content.add(gzip.stdout, mediaType: OCITestContent.layerGzipType)
        let config = try content.config(diffIDs: [OCITestContent.digest(try FileSystem.read(tarPath, limit: 1 << 30))])
        let manifest = try content.manifest(config: config, layers: [layer])
        try content.writeLayout(to: world.scratch + "/layout", refs: [(manifest, "meta")])

        // By digest: no --insecure-options needed.
        let fetched = try world.run("fetch", "--full", "oci:\(world.scratch)/layout@\(manifest.digest)")
        XCTAssertEqual(fetched.status, 0, fetched.stderrText)
        XCTAssertEqual(fetched.stdoutText, manifest.digest + "\n")
        let out = world.scratch + "/rendered"
        let render = try world.run("image", "render", "--rootfs-only", manifest.digest, out)
        XCTAssertEqual(render.status, 0, render.stderrText)
        let (differences, entries) = try TreeComparison.differences(out, expected: source, metadata: true)
        XCTAssertEqual(entries, 12)
        XCTAssertEqual(differences, [], "the rendered tree equals the source, mtimes and xattrs included")
        let tool = try FileSystem.status(out + "/usr/bin/tool")
        let alias = try FileSystem.status(out + "/usr/bin/tool-alias")
        XCTAssertEqual([tool.st_ino, UInt(tool.st_nlink)], [alias.st_ino, 2], "a hard link stays one file")
    }

    /// The source tree: every kind of entry and metadata a layer carries.
    private func makeTree(_ root: String) throws {
        try FileSystem.createDirectory(root, mode: 0o755)
        for (directory, mode) in [("etc", 0o750), ("usr", 0o755), ("usr/bin", 0o755), ("tmp", 0o1777), ("run", 0o755)] {
            try check("mkdir \(directory)") { mkdir(root + "/" + directory, mode_t(mode)) }
        }
        try write(root + "/etc/app.conf", "setting=1\n", mode: 0o640, owner: (1000, 1001))
        try check("setxattr etc/app.conf") { sk_lsetxattr(root + "/etc/app.conf", "user.skiff.note", "kept", 4) }
        try write(root + "/etc/empty", "", mode: 0o600, owner: (0, 42))
        try write(root + "/usr/bin/tool", "#!/bin/sh\necho tool\n", mode: 0o4755, owner: (0, 0))
        try check("link usr/bin/tool-alias") { link(root + "/usr/bin/tool", root + "/usr/bin/tool-alias") }
        try check("symlink usr/lib") { symlink("bin", root + "/usr/lib") }
        try check("symlink etc/dangling") { symlink("/nowhere/at/all", root + "/etc/dangling") }
        try check("lchown etc/dangling") { lchown(root + "/etc/dangling", 7, 8) }
        try check("mkfifo run/fifo") { mkfifo(root + "/run/fifo", 0o620) }
        try check("chown etc") { chown(root + "/etc", 0, 1001) }
        // Distinct nanosecond mtimes, files first, then directories deepest first (writing into
        // a directory changes its mtime).
        let order = [
            "etc/app.conf", "etc/empty", "usr/bin/tool", "usr/lib", "etc/dangling", "run/fifo", "usr/bin", "etc", "usr", "tmp", "run",
        ]
        for (index, path) in order.enumerated() {
            var times = [timespec(tv_sec: 1_600_000_000 + index * 86_400, tv_nsec: 123_456_789 - index * 1000)]
            times.append(times[0])
            try check("utimensat \(path)") { utimensat(AT_FDCWD, root + "/" + path, times, AT_SYMLINK_NOFOLLOW) }
        }
    }

    private func write(_ path: String, _ text: String, mode: mode_t, owner: (uid_t, gid_t)) throws {
        try FileSystem.writeAtomically(path, Array(text.utf8))
        try check("chown \(path)") { chown(path, owner.0, owner.1) }
        // After chown, which clears setuid.
        try check("chmod \(path)") { chmod(path, mode) }
    }
}
