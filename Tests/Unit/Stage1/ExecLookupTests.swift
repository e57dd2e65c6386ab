// exec[0] lookup in the app's PATH, inside the app's root.
#if canImport(Glibc)
import Glibc
#endif
@testable import SkiffStage1
import SkiffSystem
import XCTest

final class ExecLookupTests: XCTestCase {
    var directory: Stage1Scratch!
    var root: String { directory.path + "/root" }

    override func setUpWithError() throws {
        directory = try Stage1Scratch()
        try stage1WriteFile(root + "/usr/bin/tool", "#!/bin/sh\n", mode: 0o755)
        try stage1WriteFile(root + "/opt/bin/tool", "#!/bin/sh\n", mode: 0o755)
        try stage1WriteFile(root + "/usr/local/bin/data", "not a program", mode: 0o644)
        try stage1WriteFile(root + "/work/bin/local", "#!/bin/sh\n", mode: 0o755)
    }

    override func tearDownWithError() throws { try directory.remove() }

    func testSearchesPATHInOrderInsideTheRoot() throws {
        XCTAssertEqual(try ExecLookup.resolve("tool", path: "/nope:/usr/bin:/opt/bin", root: root), "/usr/bin/tool")
        XCTAssertEqual(try ExecLookup.resolve("tool", path: "/opt/bin:/usr/bin", root: root), "/opt/bin/tool")
    }

    func testAPathWithASlashIsUsedAsIs() throws {
        XCTAssertEqual(try ExecLookup.resolve("/not/checked", path: "/usr/bin", root: root), "/not/checked")
        XCTAssertEqual(try ExecLookup.resolve("./rel", path: "/usr/bin", root: root), "./rel")
    }

    func testRelativePATHEntriesAreTakenFromTheWorkingDirectory() throws {
        XCTAssertEqual(try ExecLookup.resolve("local", path: "bin", root: root, workingDirectory: "/work"), "/work/bin/local")
    }

    func testNonExecutableAndMissingProgramsAreErrorsNamingProgramAndApp() {
        XCTAssertThrowsError(try ExecLookup.resolve("data", path: "/usr/local/bin", root: root, app: "web")) { error in
            XCTAssertTrue("\(error)".contains("app \"web\": exec \"data\""), "\(error)")
            XCTAssertTrue("\(error)".contains("not executable"), "\(error)")
        }
        XCTAssertThrowsError(try ExecLookup.resolve("ghost", path: "/usr/bin", root: root, app: "web")) { error in
            XCTAssertTrue("\(error)".contains("app \"web\": exec \"ghost\": not found in PATH \"/usr/bin\""), "\(error)")
        }
    }

    func testAPATHDirectorySymlinkedToTheHostIsResolvedInsideTheRoot() throws {
        // /hostbin in the image points at the host's /usr/bin, where "sh" exists; inside the root
        // it means the image's /usr/bin, which has no "sh".
        XCTAssertTrue(FileSystem.exists("/usr/bin/sh") || FileSystem.exists("/bin/sh"))
        let hostBin = FileSystem.exists("/usr/bin/sh") ? "/usr/bin" : "/bin"
        try check("symlink") { symlink(hostBin, root + "/hostbin") }
        XCTAssertThrowsError(try ExecLookup.resolve("sh", path: "/hostbin", root: root))
        XCTAssertEqual(try ExecLookup.resolve("tool", path: "/hostbin", root: root), "/hostbin/tool")
    }
}
