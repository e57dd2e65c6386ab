// Per-app flags other than isolators and mounts: each valid and invalid, with rkt's repeat
// rules (--exec and --signature once, --supplementary-gids appends, others last-wins).
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffRunOptions

final class RunOptionsAppFlagTests: XCTestCase {
    private func app(_ flags: String...) throws -> AppOptions {
        try XCTUnwrap(try parseRun(["img"] + flags).apps.first)
    }

    func testExec() throws {
        XCTAssertEqual(try app("--exec=/bin/sh").exec, "/bin/sh")
        XCTAssertEqual(try app("--exec", "sh").exec, "sh")
        assertRunError(["img", "--exec=/a", "--exec=/b"], "run: --exec given twice for image \"img\"")
        assertRunError(["img", "--exec="], "run: --exec \"\": must not be empty")
    }

    func testSignature() throws {
        XCTAssertEqual(try app("--signature", "img.asc").signature, "img.asc")
        assertRunError(["img", "--signature=a", "--signature=b"], "run: --signature given twice for image \"img\"")
        // Each image has its own.
        XCTAssertEqual(try parseRun(["a", "--signature=a.asc", "b", "--signature=b.asc"]).apps.map(\.signature), ["a.asc", "b.asc"])
    }

    func testName() throws {
        XCTAssertEqual(try app("--name=web-1").name, "web-1")
        XCTAssertEqual(try app("--name=a", "--name=b").name, "b")
        let problem = "not an AC name (lowercase letters and digits, single dashes between)"
        assertRunError(["img", "--name=Web"], "run: --name \"Web\": \(problem)")
        assertRunError(["img", "--name=a--b"], "run: --name \"a--b\": \(problem)")
        assertRunError(["img", "--name="], "run: --name \"\": \(problem)")
    }

    func testUserAndGroup() throws {
        let options = try app("--user=1000", "--group=staff")
        XCTAssertEqual(options.user, "1000")
        XCTAssertEqual(options.group, "staff")
        XCTAssertEqual(try app("--user=/etc/passwd", "--group=/usr/bin/ping").group, "/usr/bin/ping")
        XCTAssertEqual(try app("--user=_apt").user, "_apt")
        assertRunError(["img", "--user=etc/passwd"], "run: --user \"etc/passwd\": not a user ID, name or absolute path")
        assertRunError(["img", "--group=1x!"], "run: --group \"1x!\": not a group ID, name or absolute path")
        assertRunError(["img", "--user="], "run: --user \"\": not a user ID, name or absolute path")
        assertRunError(["img", "--user=4294967295"], "run: --user \"4294967295\": not a user ID, name or absolute path")
    }

    func testSupplementaryGIDs() throws {
        XCTAssertEqual(try app("--supplementary-gids=10,20").supplementaryGIDs, [10, 20])
        XCTAssertEqual(try app("--supplementary-gids=1", "--supplementary-gids", "2").supplementaryGIDs, [1, 2])
        XCTAssertNil(try app().supplementaryGIDs)
        assertRunError(["img", "--supplementary-gids=1,x"], "run: --supplementary-gids \"1,x\": \"x\" is not a group ID")
        assertRunError(["img", "--supplementary-gids=1,,2"], "run: --supplementary-gids \"1,,2\": \"\" is not a group ID")
        assertRunError(["img", "--supplementary-gids=-1"], "run: --supplementary-gids \"-1\": \"-1\" is not a group ID")
    }

    func testWorkingDirectory() throws {
        XCTAssertEqual(try app("--working-dir=/srv").workingDirectory, "/srv")
        assertRunError(["img", "--working-dir=srv"], "run: --working-dir \"srv\": must be an absolute path")
    }

    func testEnvironment() throws {
        XCTAssertEqual(try app("--environment=A=1", "--environment", "B==x=", "--environment=A=").environment, [runEnv("A", "1"), runEnv("B", "=x="), runEnv("A", "")])
        assertRunError(["img", "--environment=A"], "run: --environment \"A\": not NAME=VALUE")
        assertRunError(["img", "--environment=1A=x"], "run: --environment \"1A=x\": \"1A\" is not a variable name")
        assertRunError(["img", "--environment==x"], "run: --environment \"=x\": \"\" is not a variable name")
    }

    func testReadOnlyRootFS() throws {
        XCTAssertEqual(try app("--readonly-rootfs").readOnlyRootFS, true)
        XCTAssertEqual(try app("--readonly-rootfs=false").readOnlyRootFS, false)
        XCTAssertNil(try app().readOnlyRootFS)
        assertRunError(["img", "--readonly-rootfs=maybe"], "run: --readonly-rootfs takes true or false, not \"maybe\"")
    }

    func testAnnotation() throws {
        let options = try app("--annotation=example.com/owner=ops", "--annotation=note=a=b", "--annotation=example.com/owner=dev")
        XCTAssertEqual(options.annotations.map(\.name.value), ["note", "example.com/owner"])
        XCTAssertEqual(options.annotations.map(\.value), ["a=b", "dev"])
        assertRunError(["img", "--annotation=Owner=x"], "run: --annotation \"Owner=x\": \"Owner\" is not an AC identifier")
        assertRunError(["img", "--annotation=x"], "run: --annotation \"x\": not NAME=VALUE")
    }

    func testUserAnnotationsAndLabels() throws {
        let options = try app("--user-annotation=Team=core", "--user-label=tier=web", "--user-annotation=Team=infra", "--user-label=empty=")
        XCTAssertEqual(options.userAnnotations, ["Team": "infra"])
        XCTAssertEqual(options.userLabels, ["tier": "web", "empty": ""])
        XCTAssertNil(try app().userAnnotations)
        assertRunError(["img", "--user-label=tier"], "run: --user-label \"tier\": not NAME=VALUE")
        assertRunError(["img", "--user-annotation==v"], "run: --user-annotation \"=v\": not NAME=VALUE")
    }

    func testFlagsApplyToTheImageTheyFollow() throws {
        let request = try parseRun(["a", "--user=1", "b", "--user=2", "--readonly-rootfs", "c"])
        XCTAssertEqual(request.apps.map(\.user), ["1", "2", nil])
        XCTAssertEqual(request.apps.map(\.readOnlyRootFS), [nil, true, nil])
    }
}
