// ci/build-stage1: the stage1 ACI it writes is one stage0 accepts, and it is reproducible.
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
@testable import SkiffStage1
import SkiffSystem
import XCTest

final class BuildStage1ScriptTests: XCTestCase {
    var directory: Stage1Scratch!

    override func setUpWithError() throws { directory = try Stage1Scratch() }
    override func tearDownWithError() throws { try directory.remove() }

    /// ci/build-stage1, found above this source file (Tests/... in any checkout layout).
    private func script() throws -> String {
        var path = FileSystem.parentPath(#filePath)
        while path != "/" {
            if FileSystem.exists(path + "/ci/build-stage1") { return path + "/ci/build-stage1" }
            path = FileSystem.parentPath(path)
        }
        throw SkiffError(.notFound, "ci/build-stage1 not found above \(#filePath)")
    }

    private func build(_ flavor: String, _ binary: String, _ output: String, compression: String = "none") throws -> Subprocess.Output {
        var environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "SKIFF_VERSION": "1.2.3", "SKIFF_ACI_COMPRESSION": compression]
        environment["TMPDIR"] = directory.path
        return try Subprocess.run([try script(), flavor, binary, output], environment: environment)
    }

    func testWritesAStage1ImageStage0Accepts() throws {
        let binary = try stage1Binary("stage1-stub")
        let aci = directory.path + "/stage1-fly.aci"
        let built = try build("fly", binary, aci, compression: "gzip")
        XCTAssertEqual(built.status, 0, built.stderrText)
        let rootfs = directory.path + "/x"
        try FileSystem.createDirectory(rootfs)
        let listing = try Subprocess.run(["tar", "-tvzf", aci])
        XCTAssertEqual(listing.status, 0)
        for line in listing.stdoutText.split(separator: "\n") {
            XCTAssertTrue(line.contains(" 0/0 "), "numeric owner 0:0: \(line)")
            XCTAssertTrue(line.contains(" 1970-01-01 00:00 "), "fixed mtime: \(line)")
        }
        XCTAssertEqual(try Subprocess.run(["tar", "-xzf", aci, "-C", rootfs]).status, 0)
        let manifest = try ImageManifest.parse(try FileSystem.read(rootfs + "/manifest"))
        XCTAssertEqual(manifest.name.value, "skiff.dev/stage1-fly")
        XCTAssertNil(manifest.app)
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: manifest.labels.map { ($0.name.value, $0.value) }), [
            // The binary was built here: its machine is this host's.
            "version": "1.2.3", "os": "linux", "arch": Platform.hostLabels["arch"] ?? "",
        ])
        let annotations = Dictionary(uniqueKeysWithValues: manifest.annotations.map { ($0.name.value, $0.value) })
        XCTAssertEqual(annotations[Stage1Contract.Annotation.run], "/fly-run")
        XCTAssertEqual(annotations[Stage1Contract.Annotation.enter], "/fly-enter")
        XCTAssertEqual(annotations[Stage1Contract.Annotation.stop], "/fly-stop")
        XCTAssertEqual(annotations[Stage1Contract.Annotation.gc], "/fly-gc")
        XCTAssertEqual(annotations[Stage1Contract.Annotation.interfaceVersion], "\(Stage1Contract.interfaceVersion)")
        XCTAssertEqual(annotations[Stage1Contract.Annotation.flavor], "fly")
        XCTAssertEqual(annotations[Stage1Contract.Annotation.readOnlyRoot], "true", "fly writes only skiff/status in its root")
        XCTAssertNil(annotations[Stage1Contract.Annotation.network], "fly shares the host's network")
        XCTAssertEqual(try FileSystem.read(rootfs + "/rootfs/fly", limit: 256 << 20), try FileSystem.read(binary, limit: 256 << 20))
        for entrypoint in Stage1Entrypoint.allCases {
            var buffer = [CChar](repeating: 0, count: 64)
            let n = readlink(rootfs + "/rootfs/fly-\(entrypoint.rawValue)", &buffer, buffer.count)
            XCTAssertEqual(n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "", "fly")
        }
    }

    func testIsReproducible() throws {
        let binary = try stage1Binary("stage1-stub")
        let first = try build("fly", binary, directory.path + "/a.aci")
        XCTAssertEqual(first.status, 0, first.stderrText)
        XCTAssertEqual(try build("fly", binary, directory.path + "/b.aci").status, 0)
        XCTAssertEqual(try FileSystem.read(directory.path + "/a.aci", limit: 256 << 20), try FileSystem.read(directory.path + "/b.aci", limit: 256 << 20))
    }

    func testRefusesADynamicBinaryForAFlavorWithItsOwnRoot() throws {
        let result = try build("container", try stage1Binary("stage1-stub"), directory.path + "/c.aci")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderrText.contains("needs the ELF interpreter"), result.stderrText)
        XCTAssertFalse(FileSystem.exists(directory.path + "/c.aci"))
    }
}
