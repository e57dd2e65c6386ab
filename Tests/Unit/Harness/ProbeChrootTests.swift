// The probe inside a busybox test rootfs under chroot (as root): what an app of the fly flavor
// would see, before `skiff run` exists.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem
import SkiffTestSupport
import XCTest

final class ProbeChrootTests: XCTestCase {
    private var directory: TestDirectory?
    private var rootfs = ""

    override func setUpWithError() throws {
        try XCTSkipUnless(TestEnvironment.isRoot, "chroot needs root")
        let made = try TestDirectory("chroot")
        try TestImages.busybox().unpack(into: made.path)
        directory = made
        rootfs = made.path + "/rootfs"
    }

    override func tearDown() { directory = nil }

    private func inRoot(_ arguments: [String], options: [String] = []) throws -> ProbeOutput {
        ProbeOutput(
            try Subprocess.run(["chroot"] + options + [rootfs, "/probe"] + arguments, environment: ["PATH": "/bin"]))
    }

    func testImageFilesAreSeenWithTheirOwners() throws {
        let output = try inRoot([
            "cwd", "---", "stat", "/home/user", "---", "stat", "/tmp", "---", "read-file", "/etc/group",
        ])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(output.value("cwd"), "/")
        XCTAssertEqual(output.values("stat.uid"), ["1000", "0"])
        XCTAssertEqual(output.values("stat.mode"), ["0755", "1777"])
        XCTAssertEqual(output.value("content"), "root:x:0:\\nuser:x:1000:\\nextra:x:1001:user\\nnogroup:x:65534:")
    }

    func testUserAndGroupsUnderChroot() throws {
        let output = try inRoot(["id"], options: ["--userspec=1000:1000", "--groups=1001"])
        XCTAssertEqual(output.value("uid"), "1000")
        XCTAssertEqual(output.value("gid"), "1000")
        XCTAssertEqual(output.value("groups"), "1001")
    }

    func testEnvAndBusyboxShellInsideTheRoot() throws {
        let output = try inRoot(["env", "---", "sh", "-c", "ls /bin/sh && cat /etc/hostname 2>&1 || echo no-hostname"])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(output.value("env.PATH"), "/bin")
        output.assertLine(matching: "/bin/sh")
        output.assertLine(matching: ".*no-hostname")
    }
}
