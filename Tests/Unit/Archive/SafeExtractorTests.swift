// Extraction of every kind with its metadata, and replacement semantics.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem
import XCTest

@testable import SkiffArchive

final class SafeExtractorTests: ArchiveTestCase {
    func testEveryKindWithModesAndMtimes() throws {
        for resolution in Resolution.allCases {
            let dir = try TempDir(self)
            let root = try dir.dir("root")
            let t = TarTimestamp(seconds: 1_500_000_000, nanoseconds: 123_456_789)
            let bytes = try makeTar(dir, [
                (TarEntry(path: "bin/", kind: .directory, mode: 0o755, modified: t), []),
                (TarEntry(path: "bin/su", kind: .file, mode: 0o4755, modified: t), Array("suid".utf8)),
                (TarEntry(path: "bin/sg", kind: .file, mode: 0o2711, modified: t), Array("sgid".utf8)),
                (TarEntry(path: "tmp/", kind: .directory, mode: 0o1777, modified: t), []),
                (TarEntry(path: "ro/", kind: .directory, mode: 0o555, modified: t), []),
                (TarEntry(path: "ro/inside", kind: .file, mode: 0o400, modified: t), Array("r".utf8)),
                (TarEntry(path: "bin/sh", kind: .symlink, modified: TarTimestamp(seconds: 42, nanoseconds: 7), linkTarget: "su"), []),
                (TarEntry(path: "bin/su-again", kind: .hardlink, linkTarget: "bin/su"), []),
                (TarEntry(path: "pipe", kind: .fifo, mode: 0o620, modified: t), []),
                (TarEntry(path: "deep/er/file", kind: .file, mode: 0o640), Array("implicit parents".utf8)),
            ])
            let report = try extract(bytes, into: root, options: resolution.options)
            XCTAssertEqual(report.entries, 10)
            XCTAssertEqual(report.bytes, 4 + 4 + 1 + 16)
            func check(_ path: String, _ type: mode_t, _ mode: mode_t, _ time: TarTimestamp? = t, line: UInt = #line) {
                guard let st = lstatOf(root + "/" + path) else { return XCTFail("\(path) missing", line: line) }
                XCTAssertEqual(st.st_mode & S_IFMT, type, path, line: line)
                if type != S_IFLNK { XCTAssertEqual(st.st_mode & 0o7777, mode, "\(path) mode \(String(st.st_mode & 0o7777, radix: 8))", line: line) }
                if let time {
                    XCTAssertEqual(st.st_mtim.tv_sec, Int(time.seconds), "\(path) mtime", line: line)
                    XCTAssertEqual(st.st_mtim.tv_nsec, Int(time.nanoseconds), "\(path) mtime ns", line: line)
                }
            }
            check("bin", S_IFDIR, 0o755)
            check("bin/su", S_IFREG, 0o4755)
            check("bin/sg", S_IFREG, 0o2711)
            check("tmp", S_IFDIR, 0o1777)
            check("ro", S_IFDIR, 0o555)
            check("ro/inside", S_IFREG, 0o400)
            check("bin/sh", S_IFLNK, 0, TarTimestamp(seconds: 42, nanoseconds: 7))
            check("pipe", S_IFIFO, 0o620)
            check("deep", S_IFDIR, 0o755, nil)
            check("deep/er/file", S_IFREG, 0o640, TarTimestamp(seconds: 0))
            XCTAssertEqual(fileText(root + "/bin/su"), "suid")
            XCTAssertEqual(lstatOf(root + "/bin/su")?.st_ino, lstatOf(root + "/bin/su-again")?.st_ino, "hard link")
            XCTAssertEqual(fileText(root + "/deep/er/file"), "implicit parents")
            chmod(root + "/ro", 0o755)  // so the temp dir can be removed unprivileged
        }
    }

    func testUmaskDoesNotChangeModes() throws {
        let dir = try TempDir(self)
        let root = try dir.dir("root")
        let old = Glibc.umask(0o077)
        defer { Glibc.umask(old) }
        let bytes = try makeTar(dir, [directory("d/", mode: 0o775), file("d/f", "x", mode: 0o664), file("implicit/g", "y", mode: 0o644)])
        try extract(bytes, into: root)
        XCTAssertEqual(modeOf(root + "/d"), S_IFDIR | 0o775)
        XCTAssertEqual(modeOf(root + "/d/f"), S_IFREG | 0o664)
        XCTAssertEqual(modeOf(root + "/implicit"), S_IFDIR | 0o755)
        XCTAssertEqual(modeOf(root + "/implicit/g"), S_IFREG | 0o644)
    }

    func testXattrs() throws {
        let dir = try TempDir(self)
        let root = try dir.dir("root")
        guard setUserXattr(root, "user.probe", [1]) == 0 else {
            throw XCTSkip("the file system at \(root) refuses user xattrs (errno \(errno))")
        }
        let value: [UInt8] = [0, 1, 2, 0xff, 0x41]
        let bytes = try makeTar(dir, [
            (TarEntry(path: "f", kind: .file, xattrs: ["user.one": value, "user.two": Array("2".utf8)]), Array("data".utf8)),
            (TarEntry(path: "d/", kind: .directory, xattrs: ["user.dir": [9]]), []),
            (TarEntry(path: "l", kind: .symlink, linkTarget: "f", xattrs: ["user.onlink": [1]]), []),
        ])
        let report = try extract(bytes, into: root)
        XCTAssertEqual(getXattr(root + "/f", "user.one"), value)
        XCTAssertEqual(getXattr(root + "/f", "user.two"), Array("2".utf8))
        XCTAssertEqual(getXattr(root + "/d", "user.dir"), [9])
        // The kernel refuses user.* xattrs on symlinks: reported, not fatal.
        XCTAssertEqual(report.skipped.count, 1)
        XCTAssertTrue(report.skipped.first?.hasPrefix("l: xattr user.onlink not set: EPERM") ?? false, "\(report.skipped)")
    }

    func testPrivilegedXattrNamespaces() throws {
        let dir = try TempDir(self)
        let root = try dir.dir("root")
        let bytes = try makeTar(dir, [(TarEntry(path: "f", kind: .file, xattrs: ["trusted.skiff": [7]]), Array("x".utf8))])
        let report = try extract(bytes, into: root)
        if geteuid() == 0 {
            guard report.skipped.isEmpty else { throw XCTSkip("the file system refuses trusted xattrs: \(report.skipped)") }
            XCTAssertEqual(getXattr(root + "/f", "trusted.skiff"), [7])
        } else {
            XCTAssertEqual(report.skipped, ["f: xattr trusted.skiff not set: EPERM (Operation not permitted)"])
            XCTAssertEqual(fileText(root + "/f"), "x", "the file itself is extracted")
        }
    }

    func testOwnershipAsRoot() throws {
        guard geteuid() == 0 else { throw XCTSkip("lchown to other ids needs root") }
        let dir = try TempDir(self)
        let root = try dir.dir("root")
        let bytes = try makeTar(dir, [
            (TarEntry(path: "d/", kind: .directory, mode: 0o2775, uid: 1234, gid: 5678), []),
            (TarEntry(path: "d/f", kind: .file, mode: 0o6755, uid: 1001, gid: 1002), Array("x".utf8)),
            (TarEntry(path: "d/l", kind: .symlink, uid: 1003, gid: 1004, linkTarget: "f"), []),
        ])
        try extract(bytes, into: root)
        let d = try XCTUnwrap(lstatOf(root + "/d"))
        XCTAssertEqual([d.st_uid, d.st_gid], [1234, 5678])
        XCTAssertEqual(d.st_mode & 0o7777, 0o2775)
        let f = try XCTUnwrap(lstatOf(root + "/d/f"))
        XCTAssertEqual([f.st_uid, f.st_gid], [1001, 1002])
        XCTAssertEqual(f.st_mode & 0o7777, 0o6755, "setuid/setgid survive the chown")
        let l = try XCTUnwrap(lstatOf(root + "/d/l"))
        XCTAssertEqual([l.st_uid, l.st_gid], [1003, 1004], "the symlink itself, not its target")
        // Without preserveOwnership everything belongs to the extracting user.
        let other = try dir.dir("other")
        var options = ExtractionOptions()
        options.preserveOwnership = false
        try extract(bytes, into: other, options: options)
        XCTAssertEqual(lstatOf(other + "/d/f")?.st_uid, geteuid())
    }

    func testReplacementSemantics() throws {
        for resolution in Resolution.allCases {
            let dir = try TempDir(self)
            let root = try dir.dir("root")
            let outside = try dir.dir("outside")
            try FileSystem.writeAtomically(outside + "/victim", Array("host".utf8))
            let first = try makeTar(dir, [
                file("a", "file a"), directory("b/"), file("b/child", "c"), symlink("c", to: outside + "/victim"),
                symlink("e", to: "/"), file("h1", "shared"), hardlink("h2", to: "h1"),
                directory("x/y/"), file("x/y/z", "z"), file("x/y", "y is a file now"),  // replaced right after use as a parent
            ], name: "one.tar")
            try extract(first, into: root, options: resolution.options)
            let second = try makeTar(dir, [
                directory("a/"), file("a/new", "n"),   // file -> dir
                file("b", "now a file"),               // dir (with children) -> file
                file("c", "replaced"),                 // symlink replaced, not followed
                directory("e/"),                       // symlink -> dir, not followed
                file("h1", "new content"),             // replaced, the other link keeps the old inode
            ], name: "two.tar")
            try extract(second, into: root, options: resolution.options)
            XCTAssertEqual(fileText(root + "/x/y"), "y is a file now")
            XCTAssertEqual(modeOf(root + "/a"), S_IFDIR | 0o755)
            XCTAssertEqual(fileText(root + "/a/new"), "n")
            XCTAssertEqual(fileText(root + "/b"), "now a file")
            XCTAssertEqual(modeOf(root + "/c"), S_IFREG | 0o644)
            XCTAssertEqual(fileText(root + "/c"), "replaced")
            XCTAssertEqual(fileText(outside + "/victim"), "host", "the symlink's target was not written")
            XCTAssertEqual((lstatOf(root + "/e")?.st_mode ?? 0) & S_IFMT, S_IFDIR)
            XCTAssertEqual(fileText(root + "/h1"), "new content")
            XCTAssertEqual(fileText(root + "/h2"), "shared", "no write through a hard link")
            // An existing directory is kept (with its children) and its metadata updated.
            let third = try makeTar(dir, [(TarEntry(path: "a/", kind: .directory, mode: 0o700, modified: TarTimestamp(seconds: 77)), [])], name: "three.tar")
            try extract(third, into: root, options: resolution.options)
            XCTAssertEqual(fileText(root + "/a/new"), "n")
            XCTAssertEqual(modeOf(root + "/a"), S_IFDIR | 0o700)
            XCTAssertEqual(lstatOf(root + "/a")?.st_mtim.tv_sec, 77)
        }
    }

    func testLaterEntriesSeeReplacedParents() throws {
        // "lib/x" is first reached through "lib -> usr/lib"; then "usr" becomes a symlink to
        // "/opt": "lib/x/f2" must land in opt/lib/x, not in the removed directory.
        for resolution in Resolution.allCases {
            let dir = try TempDir(self)
            let root = try dir.dir("root")
            let bytes = try makeTar(dir, [
                directory("usr/lib/x/"), symlink("lib", to: "usr/lib"), directory("opt/lib/x/"),
                file("lib/x/f1", "1"), symlink("usr", to: "/opt"), file("lib/x/f2", "2"),
            ])
            try extract(bytes, into: root, options: resolution.options)
            XCTAssertEqual(fileText(root + "/opt/lib/x/f2"), "2", "\(resolution)")
            XCTAssertFalse(FileSystem.exists(root + "/opt/lib/x/f1"))
        }
    }

    func testMatchesGNUTarOnARealTree() throws {
        let dir = try TempDir(self)
        let src = try dir.dir("src")
        try shell("""
            cd \(src) && mkdir -p a/b/c e && for i in 1 2 3 4 5; do head -c $((i * 70000)) /dev/urandom > a/b/f$i; done \
            && echo hi > e/x && ln -s ../e/x a/sl && ln a/b/f1 e/hard && mkfifo e/p && chmod 1770 e && chmod 4755 a/b/f2 \
            && touch -d @1000000000.5 a/b/c && tar --format=pax -cf \(dir.path)/t.tar . && mkdir \(dir.path)/gnu \
            && tar --same-permissions -xf \(dir.path)/t.tar -C \(dir.path)/gnu
            """)
        for resolution in Resolution.allCases {
            let root = try dir.dir("ours-\(resolution)")
            let reader = TarReader(FileSource(try FileDescriptor.open(dir.path + "/t.tar", O_RDONLY)), name: "t.tar")
            _ = try extractArchive(reader, prefix: "", into: root, options: resolution.options)
            let listing = "find . -printf '%p %y %m %U %G %s %T@ %l %n\\n' | sort"
            let ours = try shell("cd \(root) && \(listing) && find . -type f -exec md5sum {} + | sort").stdoutText
            let theirs = try shell("cd \(dir.path)/gnu && \(listing) && find . -type f -exec md5sum {} + | sort").stdoutText
            XCTAssertEqual(ours.split(separator: "\n").dropFirst(), theirs.split(separator: "\n").dropFirst(), "\(resolution)")
        }
    }

    func testLimits() throws {
        let dir = try TempDir(self)
        let bytes = try makeTar(dir, [file("a", String(repeating: "a", count: 600_000)), file("b", String(repeating: "b", count: 600_000))])
        var options = ExtractionOptions()
        options.limits = ExtractionLimits(maxBytes: 1 << 20)
        let root = try dir.dir("root")
        let message = errorMessage { try extract(bytes, into: root, options: options, name: "big.tar") }
        XCTAssertEqual(message, "extract \"b\" of \"big.tar\": archive exceeds the 1048576-byte limit")
        XCTAssertFalse(FileSystem.exists(root + "/b"), "stopped before writing")
        options.limits = ExtractionLimits(maxEntries: 1)
        let count = errorMessage { try extract(bytes, into: try dir.dir("r2"), options: options, name: "big.tar") }
        XCTAssertEqual(count, "extract \"b\" of \"big.tar\": archive exceeds the 1-entry limit")
        options.limits = ExtractionLimits(maxPathBytes: 10)
        let long = try makeTar(dir, [file("abcdefghijk", "x")], name: "long.tar")
        let path = errorMessage { try extract(long, into: try dir.dir("r3"), options: options, name: "long.tar") }
        XCTAssertEqual(path, "extract \"abcdefghijk\" of \"long.tar\": path longer than 10 bytes")
    }

    func testACIPrefixAndInclude() throws {
        let dir = try TempDir(self)
        let root = try dir.dir("root")
        let bytes = try makeTar(dir, [
            directory("rootfs/"), file("rootfs/etc/keep", "k"), file("rootfs/etc/drop", "d"), file("manifest", "{}"),
            hardlink("rootfs/etc/keep2", to: "rootfs/etc/keep"),
        ])
        let report = try extractArchive(TarReader(MemorySource(bytes), name: "a.aci"), prefix: "rootfs/", into: root,
                                        options: ExtractionOptions(), include: { !$0.hasSuffix("drop") })
        XCTAssertEqual(try FileSystem.list(root), ["etc"])
        XCTAssertEqual(try FileSystem.list(root + "/etc"), ["keep", "keep2"])
        XCTAssertEqual(report.entries, 2, "keep and keep2; rootfs/, drop and manifest passed over")
        let outside = try makeTar(dir, [directory("rootfs/"), hardlink("rootfs/x", to: "manifest")], name: "o.aci")
        let message = errorMessage {
            _ = try extractArchive(TarReader(MemorySource(outside), name: "o.aci"), prefix: "rootfs/", into: try dir.dir("r2"), options: ExtractionOptions())
        }
        XCTAssertEqual(message, "extract \"rootfs/x\" of \"o.aci\": hard link to outside the root (\"manifest\")")
    }
}
