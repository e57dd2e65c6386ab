// skiff run under each stage1: exit statuses, what the app sees, app flags.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class RunTests: PodTestCase {
    func testExitCodeIsTheApps() throws {
        let image = try TestImages.busybox(probe: ["print", "about to exit", "---", "exit", "7"])
        try forEachStage1 { stage1 in
            let (output, status) = try runPod(stage1: stage1, image: image)
            XCTAssertEqual(status, .exited(7), output)
            XCTAssertTrue(output.contains("about to exit"), output)
            let uuid = try onlyPod()
            let statusText = try world.run("status", uuid).stdoutText
            XCTAssertTrue(statusText.contains("state=exited\n"), statusText)
            XCTAssertTrue(statusText.contains("app-busybox=7\n"), statusText)
            XCTAssertTrue(statusText.contains("exited=true\n"), statusText)
        }
    }

    func testSignalIs128PlusN() throws {
        let image = try TestImages.busybox(probe: ["kill-self", "TERM"])
        try forEachStage1 { stage1 in
            let (output, status) = try runPod(stage1: stage1, image: image)
            XCTAssertEqual(status, .exited(143), output)
            XCTAssertTrue(try world.run("status", try onlyPod()).stdoutText.contains("app-busybox=143"))
        }
    }

    func testTheAppcEnvironment() throws {
        let image = try TestImages.busybox(probe: ["env", "---", "cwd", "---", "id"]) { $0.environment["FROM_IMAGE"] = "image" }
        try forEachStage1 { stage1 in
            let (output, status) = try runPod(stage1: stage1, image: image)
            XCTAssertEqual(status, .exited(0), output)
            XCTAssertEqual(probeValue("env.PATH", in: output), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            XCTAssertEqual(probeValue("env.AC_APP_NAME", in: output), "busybox")
            XCTAssertNotNil(probeValue("env.container", in: output), output)
            XCTAssertEqual(probeValue("env.FROM_IMAGE", in: output), "image")
            XCTAssertEqual(probeValue("cwd", in: output), "/")
            XCTAssertEqual(probeValue("uid", in: output), "0")
        }
    }

    func testEnvironmentPrecedence() throws {
        let image = try TestImages.busybox(probe: ["env"]) {
            $0.environment = ["A": "image", "B": "image", "C": "image"]
        }
        let file = world.scratch + "/env"
        try "B=file\nD=file\n".write(toFile: file, atomically: true, encoding: .utf8)
        setenv("SKIFF_TEST_PARENT", "parent", 1)
        defer { unsetenv("SKIFF_TEST_PARENT") }
        try forEachStage1 { stage1 in
            let (output, _) = try runPod(
                stage1: stage1, podFlags: ["--inherit-env", "--set-env-file=\(file)", "--set-env=C=set"], image: image,
                appFlags: ["--environment=D=app"])
            XCTAssertEqual(probeValue("env.A", in: output), "image")
            XCTAssertEqual(probeValue("env.B", in: output), "file", "set-env-file over the image")
            XCTAssertEqual(probeValue("env.C", in: output), "set", "set-env over the image")
            XCTAssertEqual(probeValue("env.D", in: output), "app", "per-app --environment over everything")
            XCTAssertEqual(probeValue("env.SKIFF_TEST_PARENT", in: output), "parent", "--inherit-env")
        }
    }

    func testUserGroupsAndWorkingDirectoryFlags() throws {
        let image = try TestImages.busybox(probe: ["id", "---", "cwd"])
        try forEachStage1 { stage1 in
            let byName = try runPod(stage1: stage1, image: image, appFlags: ["--user=user", "--group=extra", "--working-dir=/tmp"])
            XCTAssertEqual(probeValue("uid", in: byName.output), "1000", byName.output)
            XCTAssertEqual(probeValue("gid", in: byName.output), "1001")
            XCTAssertEqual(probeValue("cwd", in: byName.output), "/tmp")
            let byNumber = try runPod(stage1: stage1, image: image, appFlags: ["--user=4242", "--group=4343", "--supplementary-gids=5,6"])
            XCTAssertEqual(probeValue("uid", in: byNumber.output), "4242", byNumber.output)
            XCTAssertEqual(probeValue("gid", in: byNumber.output), "4343")
            XCTAssertEqual(probeValue("groups", in: byNumber.output), "5,6")
            let byFile = try runPod(stage1: stage1, image: image, appFlags: ["--user=/home/user", "--group=/home/user"])
            XCTAssertEqual(probeValue("uid", in: byFile.output), "1000", "the owner of the file")
            let missing = try runPod(stage1: stage1, image: image, appFlags: ["--user=nosuchuser"])
            XCTAssertEqual(missing.status, .exited(254), missing.output)
            XCTAssertTrue(missing.output.contains("nosuchuser"), missing.output)
        }
    }

    func testExecAndArguments() throws {
        let image = try TestImages.busybox(probe: ["print", "from the image"])
        try forEachStage1 { stage1 in
            let replaced = try runPod(stage1: stage1, image: image, appFlags: ["--exec=/probe"], appArguments: ["print", "from --exec"])
            XCTAssertTrue(replaced.output.contains("from --exec"), replaced.output)
            XCTAssertEqual(replaced.status, .exited(0))
            let exitImage = try TestImages.busybox(probe: ["exit"])
            let appended = try runPod(stage1: stage1, image: exitImage, appArguments: ["3"])
            XCTAssertEqual(appended.status, .exited(3), "arguments after -- are appended to the image's exec (rkt)")
            let missing = try runPod(stage1: stage1, image: image, appFlags: ["--exec=/no/such/program"])
            XCTAssertEqual(missing.status, .exited(254))
            XCTAssertTrue(missing.output.contains("/no/such/program"), missing.output)
        }
    }

    func testInteractiveAppReadsTheTerminal() throws {
        let image = try TestImages.busybox(probe: ["tty", "---", "read-stdin"])
        try forEachStage1 { stage1 in
            let child = try spawnPod(stage1: stage1, podFlags: ["--interactive"], image: image)
            try expectOrFail(child, "tty.0=1")
            try expectOrFail(child, "read-stdin=waiting")
            try child.sendLine("typed on the terminal")
            try expectOrFail(child, "stdin=typed on the terminal")
            try waitOrFail(child, status: .exited(0))
        }
    }

    func testReadOnlyRootfs() throws {
        let image = try TestImages.busybox(probe: ["write-file", "/etc/written", "x"])
        try forEachStage1 { stage1 in
            let writable = try runPod(stage1: stage1, image: image)
            XCTAssertEqual(writable.status, .exited(0), writable.output)
            let readOnly = try runPod(stage1: stage1, image: image, appFlags: ["--readonly-rootfs"])
            XCTAssertEqual(readOnly.status, .exited(1), readOnly.output)
            XCTAssertTrue(readOnly.output.contains("EROFS"), readOnly.output)
        }
    }

    func testEveryRunStartsFromACleanRoot() throws {
        let image = try TestImages.busybox(probe: ["stat", "/leftover", "---", "write-file", "/leftover", "x"])
        try forEachStage1 { stage1 in
            XCTAssertEqual(try runPod(stage1: stage1, image: image).status, .exited(1), "the first run finds nothing")
            XCTAssertEqual(try runPod(stage1: stage1, image: image).status, .exited(1), "nor does the second: a fresh copy")
        }
    }

    func testMultiAppPods() throws {
        let first = try TestImages.busybox(probe: ["print", "first"], name: "skiff.test/first")
        let second = try TestImages.busybox(probe: ["print", "second"], name: "skiff.test/second")
        try forEachStage1(notSupported: ["fly": "fly runs a single app per pod by design"]) { stage1 in
            let child = try world.spawn([
                "--insecure-options=image", "run", "--stage1-path=\(stage1.path)", first.path, "---", second.path,
            ])
            try expectOrFail(child, "first")
            try waitOrFail(child, status: .exited(0))
        }
    }

    func testFlyRefusesSeveralApps() throws {
        let first = try TestImages.busybox(probe: ["print", "first"], name: "skiff.test/first")
        let second = try TestImages.busybox(probe: ["print", "second"], name: "skiff.test/second")
        try forEachStage1(notSupported: ["container": "runs several apps", "kvm": "runs several apps"]) { stage1 in
            guard stage1.flavor == "fly" else { throw XCTSkip("only fly refuses") }
            let result = try world.run(["--insecure-options=image", "run", "--stage1-path=\(stage1.path)", first.path, "---", second.path])
            XCTAssertEqual(result.status, 254)
            XCTAssertTrue(result.stderrText.contains("single app"), result.stderrText)
        }
    }
}
