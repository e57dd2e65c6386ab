// Building busybox test images: layout, manifest, image ID, caching, reproducibility, signing.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SkiffSystem
@testable import SkiffTestSupport
import XCTest

final class TestImagesTests: XCTestCase {
    /// `tar -tvzf` of an image: "mode owner/group name" per entry (link targets after " -> ").
    private func listing(_ image: TestImage) throws -> [String: String] {
        let result = try Subprocess.run(["tar", "--numeric-owner", "-tvzf", image.path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        var entries: [String: String] = [:]
        for line in result.stdoutText.split(separator: "\n") {
            // drwxr-xr-x 0/0 0 1970-01-01 00:00 rootfs/bin/
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6 else { continue }
            let name = fields[5...].joined(separator: " ")
            entries[name.hasSuffix("/") ? String(name.dropLast()) : name] = "\(fields[0]) \(fields[1])"
        }
        return entries
    }

    private func manifest(of image: TestImage) throws -> [String: Any] {
        let result = try Subprocess.run(["tar", "-xzOf", image.path, "manifest"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
    }

    func testBusyboxImageHasTheStandardLayout() throws {
        let image = try TestImages.busybox(probe: ["env"])
        let entries = try listing(image)
        XCTAssertEqual(entries["manifest"], "-rw-r--r-- 0/0")
        XCTAssertEqual(entries["rootfs/bin/busybox"], "-rwxr-xr-x 0/0")
        XCTAssertEqual(entries["rootfs/probe"], "-rwxr-xr-x 0/0")
        XCTAssertEqual(entries["rootfs/bin/sh -> busybox"], "lrwxrwxrwx 0/0")
        XCTAssertEqual(entries["rootfs/tmp"], "drwxrwxrwt 0/0")
        XCTAssertEqual(entries["rootfs/home/user"], "drwxr-xr-x 1000/1000")
        XCTAssertEqual(entries["rootfs/root"], "drwx------ 0/0")
        for directory in ["dev", "proc", "sys", "run", "var", "usr", "etc"] {
            XCTAssertNotNil(entries["rootfs/" + directory], directory)
        }
        let applets = try TestRootfs.applets(of: TestImages.busyboxPath)
        XCTAssertGreaterThan(applets.count, 100)
        for applet in applets { XCTAssertNotNil(entries["rootfs/bin/\(applet) -> busybox"], applet) }

        let unpacked = try TestDirectory("image-etc")
        XCTAssertEqual(try Subprocess.run(["tar", "-xzf", image.path, "-C", unpacked.path, "rootfs/etc"]).status, 0)
        let passwd = String(decoding: try FileSystem.read(unpacked.path + "/rootfs/etc/passwd"), as: UTF8.self)
        XCTAssertTrue(passwd.contains("user:x:1000:1000:"), passwd)
        XCTAssertTrue(passwd.contains("nobody:x:65534:"), passwd)
        let group = String(decoding: try FileSystem.read(unpacked.path + "/rootfs/etc/group"), as: UTF8.self)
        XCTAssertTrue(group.contains("extra:x:1001:user\n"), group)
    }

    func testManifestCarriesTheRecipe() throws {
        let image = try TestImages.busybox(probe: ["env", "---", "exit", "3"], name: "skiff.test/recipe") { recipe in
            recipe.version = "2.1.0"
            recipe.user = "1000"
            recipe.group = "extra"
            recipe.supplementaryGIDs = [1001]
            recipe.environment = ["GREETING": "hello \"world\""]
            recipe.mountPoints = [.init(name: "data", path: "/data", readOnly: true)]
            recipe.ports = [.init(name: "http", port: 8080)]
            recipe.isolators = [.init(name: "resource/memory", value: #"{"limit":"64M"}"#)]
            recipe.annotations = ["authors": "skiff tests"]
        }
        let json = try manifest(of: image)
        XCTAssertEqual(json["name"] as? String, "skiff.test/recipe")
        let labels = (json["labels"] as? [[String: String]] ?? []).reduce(into: [String: String]()) {
            $0[$1["name"] ?? ""] = $1["value"]
        }
        XCTAssertEqual(labels, ["version": "2.1.0", "os": "linux", "arch": TestImageRecipe.hostArch])
        let app = try XCTUnwrap(json["app"] as? [String: Any])
        XCTAssertEqual(app["exec"] as? [String], ["/probe", "env", "---", "exit", "3"])
        XCTAssertEqual(app["user"] as? String, "1000")
        XCTAssertEqual(app["group"] as? String, "extra")
        XCTAssertEqual(app["supplementaryGIDs"] as? [Int], [1001])
        XCTAssertEqual(app["environment"] as? [[String: String]], [["name": "GREETING", "value": "hello \"world\""]])
        XCTAssertEqual((app["mountPoints"] as? [[String: Any]])?.first?["readOnly"] as? Bool, true)
        XCTAssertEqual((app["ports"] as? [[String: Any]])?.first?["port"] as? Int, 8080)
        let isolator = (app["isolators"] as? [[String: Any]])?.first
        XCTAssertEqual((isolator?["value"] as? [String: String])?["limit"], "64M")
        XCTAssertEqual((json["annotations"] as? [[String: String]])?.first?["value"], "skiff tests")
    }

    func testImageIDIsTheSHA512OfTheTar() throws {
        let image = try TestImages.busybox()
        let result = try Subprocess.run(["sh", "-c", "gzip -dc < \"$1\" | sha512sum", "sh", image.path])
        XCTAssertEqual(image.id, "sha512-" + result.stdoutText.prefix(128))
    }

    func testFilesWithOwnersAndDistinctRecipes() throws {
        let plain = try TestImages.busybox(probe: ["print", "files"])
        let withFile = try TestImages.busybox(probe: ["print", "files"]) {
            $0.files = [.init("/home/user/secret", "s3cret\n", mode: 0o600, uid: 1000, gid: 1001)]
        }
        XCTAssertNotEqual(plain.path, withFile.path)
        XCTAssertNotEqual(plain.id, withFile.id)
        let entries = try listing(withFile)
        XCTAssertEqual(entries["rootfs/home/user/secret"], "-rw------- 1000/1001")
        XCTAssertEqual(
            entries["rootfs/home/user"], "drwxr-xr-x 1000/1000", "the nested owner does not change its parent")
    }

    func testCachedSecondBuildIsReusedAndBuildsAreReproducible() throws {
        let first = try TestDirectory("cache-a")
        let second = try TestDirectory("cache-b")
        // Restored, not unset: the tests after this one keep the run's cache (ci/swift sets it).
        let previous = getenv("SKIFF_TEST_CACHE").map { String(cString: $0) }
        defer {
            if let previous { setenv("SKIFF_TEST_CACHE", previous, 1) } else { unsetenv("SKIFF_TEST_CACHE") }
        }
        setenv("SKIFF_TEST_CACHE", first.path, 1)
        let a = try TestImages.busybox(probe: ["print", "cache"])
        let before = try FileSystem.status(a.path)
        let b = try TestImages.busybox(probe: ["print", "cache"])
        let after = try FileSystem.status(b.path)
        XCTAssertEqual(a.path, b.path)
        XCTAssertTrue(a.path.hasPrefix(first.path + "/images/"), a.path)
        // Not rebuilt: the same file (inode) with the same modification time.
        XCTAssertEqual(after.st_ino, before.st_ino, "a cached image is not rebuilt")
        XCTAssertEqual(after.st_mtim.tv_sec, before.st_mtim.tv_sec)
        XCTAssertEqual(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec)

        // A fresh cache builds the same bytes again: the recipe, not the moment, decides them.
        setenv("SKIFF_TEST_CACHE", second.path, 1)
        let rebuilt = try TestImages.busybox(probe: ["print", "cache"])
        XCTAssertNotEqual(rebuilt.path, a.path)
        XCTAssertEqual(try FileSystem.read(rebuilt.path, limit: 64 << 20), try FileSystem.read(a.path, limit: 64 << 20))
        XCTAssertEqual(rebuilt.id, a.id)
    }

    func testSignedCopyVerifiesWithGpg() throws {
        let image = try TestImages.busybox()
        let keyring = try TestKeyring(name: "Harness", email: "harness@skiff.invalid")
        let directory = try TestDirectory("signed")
        let signed = try image.signed(by: keyring, into: directory.path, fileName: "busybox.aci")
        XCTAssertEqual(signed.signature, directory.path + "/busybox.aci.asc")
        let verify = try Subprocess.run([
            "gpg", "--homedir", keyring.home, "--batch", "--verify", signed.signature, signed.image,
        ])
        XCTAssertEqual(verify.status, 0, verify.stderrText)
        XCTAssertEqual(
            try FileSystem.read(signed.image, limit: 64 << 20), try FileSystem.read(image.path, limit: 64 << 20))
    }

    func testManifestJSONEscapesAndKeepsOrder() {
        let json = ManifestJSON.object([
            .init("b", .string("quote \" backslash \\ newline \n tab \t bell \u{7}")), .init("a", .number(-3)),
            .init("c", .array([.bool(true), .raw(#"{"x":1}"#)])),
        ])
        XCTAssertEqual(
            json.text, #"{"b":"quote \" backslash \\ newline \n tab \t bell \u0007","a":-3,"c":[true,{"x":1}]}"#)
    }
}
