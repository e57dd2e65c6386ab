// The run/prepare grammar: images, per-app flags after their image, `--` app arguments up to
// `---` or the end, global --mount, pod flags between images, flag value forms.
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffRunOptions

final class RunOptionsGrammarTests: XCTestCase {
    func testSeveralImagesEachWithTheirFlags() throws {
        let request = try parseRun(["--volume", "d,kind=empty", "a.aci", "--exec=/bin/a", "example.com/b", "--exec", "/bin/b", "sha512-abc"])
        XCTAssertEqual(request.apps.map(\.image), ["a.aci", "example.com/b", "sha512-abc"])
        XCTAssertEqual(request.apps.map(\.exec), ["/bin/a", "/bin/b", nil])
        XCTAssertEqual(request.volumes.map(\.name.value), ["d"])
    }

    func testArgumentsRunToTripleDashOrTheEnd() throws {
        let request = try parseRun(["a", "--", "--x", "-", "-y", "--exec=z", "---", "b", "--user=1", "--", "last", "--"])
        XCTAssertEqual(request.apps[0].arguments, ["--x", "-", "-y", "--exec=z"])
        XCTAssertNil(request.apps[0].exec)
        XCTAssertEqual(request.apps[1].user, "1")
        XCTAssertEqual(request.apps[1].arguments, ["last", "--"])
    }

    func testNoArgumentsVersusEmptyArguments() throws {
        let request = try parseRun(["a", "b", "--", "---", "c", "--"])
        XCTAssertNil(request.apps[0].arguments)
        XCTAssertEqual(request.apps[1].arguments, [])
        XCTAssertEqual(request.apps[2].arguments, [])
    }

    func testTrailingTripleDashAndStrayTripleDash() throws {
        let trailing = try parseRun(["a", "--", "x", "---"])
        XCTAssertEqual(trailing.apps.map(\.image), ["a"])
        XCTAssertEqual(trailing.apps[0].arguments, ["x"])
        // rkt skipped a "---" outside app arguments; it separates nothing.
        let stray = try parseRun(["---", "a", "---", "b", "---"])
        XCTAssertEqual(stray.apps.map(\.image), ["a", "b"])
    }

    func testFlagsAfterArgumentsApplyToThatImage() throws {
        // rkt: "---" resumes flag parsing; a per-app flag then still follows the same image.
        let request = try parseRun(["a", "--", "x", "---", "--memory=64M", "b"])
        XCTAssertEqual(request.apps[0].isolators.memory, try Quantity(parsing: "64M"))
        XCTAssertNil(request.apps[1].isolators.memory)
    }

    func testPerAppFlagBeforeAnyImage() {
        assertRunError(["--user=0", "a"], "run: --user for no image (per-app flags follow their image)")
        assertRunError(["--memory", "1G", "a"], "run: --memory for no image (per-app flags follow their image)")
        assertRunError(["--exec=/x"], "run: --exec for no image (per-app flags follow their image)", kind: .run)
        assertRunError(["--name=x", "a"], "prepare: --name for no image (per-app flags follow their image)", kind: .prepare)
    }

    func testGlobalMountBeforeImagesPerAppMountAfter() throws {
        let request = try parseRun([
            "--volume=logs,kind=host,source=/srv/logs", "--mount", "volume=logs,target=/var/log", "a",
            "--mount=volume=logs,target=/opt/log", "b",
        ])
        XCTAssertEqual(request.globalMounts, [MountOption(volume: "logs", target: "/var/log")])
        XCTAssertEqual(request.apps[0].mounts, [MountOption(volume: "logs", target: "/opt/log")])
        XCTAssertEqual(request.apps[1].mounts, [])
    }

    func testPodFlagsAreAcceptedBetweenImages() throws {
        let request = try parseRun(["a", "--net=host", "--set-env=A=1", "b", "--no-overlay"])
        XCTAssertEqual(request.networks, ["host"])
        XCTAssertEqual(request.setEnv, [runEnv("A", "1")])
        XCTAssertTrue(request.noOverlay)
        XCTAssertEqual(request.apps.count, 2)
    }

    func testDoubleDashErrors() {
        assertRunError(["--", "a"], "run: \"--\" before any image (app arguments follow their image)")
        assertRunError(["a", "--", "x", "---", "--", "y"], "run: second \"--\" for image \"a\" (one argument list per image)")
    }

    func testUnknownFlags() {
        assertRunError(["--frob", "a"], "run: unknown flag --frob")
        assertRunError(["a", "--frob=1"], "run: unknown flag --frob")
        assertRunError(["-v", "a"], "run: unknown flag -v")
        assertRunError(["a", "--stdin=null"], "run: unknown flag --stdin")
    }

    func testRunOnlyAndPrepareOnlyFlags() {
        assertRunError(["--net=host", "a"], "prepare: --net is only for run", kind: .prepare)
        assertRunError(["--interactive", "a"], "prepare: --interactive is only for run", kind: .prepare)
        assertRunError(["--quiet", "a"], "run: --quiet is only for prepare")
    }

    func testValueForms() throws {
        XCTAssertEqual(try parseRun(["--hostname=h1", "a"]).hostname, "h1")
        XCTAssertEqual(try parseRun(["--hostname", "h2", "a"]).hostname, "h2")
        XCTAssertEqual(try parseRun(["a", "--exec", "--weird"]).apps[0].exec, "--weird")
        assertRunError(["a", "--exec"], "run: --exec needs a value")
        assertRunError(["--hostname"], "run: --hostname needs a value")
        assertRunError(["a", "--exec="], "run: --exec \"\": must not be empty")
    }

    func testBooleanForms() throws {
        XCTAssertTrue(try parseRun(["--inherit-env", "a"]).inheritEnv)
        XCTAssertFalse(try parseRun(["--inherit-env=false", "a"]).inheritEnv)
        XCTAssertTrue(try parseRun(["--inherit-env=1", "a"]).inheritEnv)
        // A boolean never takes the next word: "true" here is an image.
        XCTAssertEqual(try parseRun(["--inherit-env", "true"]).apps.map(\.image), ["true"])
        assertRunError(["--inherit-env=yes", "a"], "run: --inherit-env takes true or false, not \"yes\"")
    }

    func testNoImage() {
        assertRunError([], "run: no image given (run IMAGE [flags] [-- ARGS] ..., or --pod-manifest FILE)")
        assertRunError(["--no-overlay"], "prepare: no image given (prepare IMAGE [flags] [-- ARGS] ..., or --pod-manifest FILE)", kind: .prepare)
    }

    func testLoneDashIsAnImage() throws {
        XCTAssertEqual(try parseRun(["-"]).apps.map(\.image), ["-"])
    }

    func testGlobalFlagsAreCollectedForTheCaller() throws {
        let (request, global) = try PodRequestParser.parse(
            ["--debug", "--dir", "/d", "a", "--insecure-options=image", "--", "--debug"], kind: .run,
            globalFlags: ["debug": false, "dir": true, "insecure-options": true])
        XCTAssertEqual(global, ["--debug", "--dir=/d", "--insecure-options=image"])
        XCTAssertEqual(request.apps[0].arguments, ["--debug"])
        assertRunOptionsFailure("run: --dir needs a value") {
            try PodRequestParser.parse(["a", "--dir"], kind: .run, globalFlags: ["dir": true])
        }
    }

    func testHelpListsEveryVisibleFlagOnce() {
        let pod = PodRequestParser.podFlagHelp.map(\.flag)
        let app = PodRequestParser.appFlagHelp.map(\.flag)
        XCTAssertTrue(pod.contains("--volume=NAME,kind=host|empty,..."))
        XCTAssertTrue(pod.contains("--net[=NET[:ARGS],...]"))
        XCTAssertTrue(pod.contains("--interactive"))
        XCTAssertFalse(pod.contains("--quiet"))
        XCTAssertTrue(PodRequestParser.podFlagHelp(for: .prepare).map(\.flag).contains("--quiet"))
        XCTAssertFalse(PodRequestParser.podFlagHelp(for: .prepare).map(\.flag).contains("--interactive"))
        XCTAssertTrue(app.contains("--memory=QUANTITY"))
        XCTAssertTrue(app.contains("--readonly-rootfs"))
        XCTAssertFalse(app.contains { $0.hasPrefix("--cap-retain") }, "deprecated aliases stay hidden")
        XCTAssertEqual(Set(pod + app).count, pod.count + app.count)
        XCTAssertTrue((PodRequestParser.podFlagHelp + PodRequestParser.appFlagHelp).allSatisfy { !$0.help.isEmpty })
        // The run and prepare lists together hold every visible flag of the table.
        XCTAssertEqual(FlagTable.all.filter { !$0.hidden }.count, Set(pod + app + ["--quiet"]).count)
    }
}
