// The entrypoint arguments of docs/stage1-abi.md: what stage0 renders, every stage1 parses back.
@testable import SkiffStage1
import SkiffSystem
import SkiffTestSupport
import XCTest

final class EntrypointArgumentsTests: XCTestCase {
    func testRunArgumentsRoundTripEveryFlag() throws {
        var arguments = RunArguments(uuid: stage1TestUUID)
        arguments.debug = true
        arguments.interactive = true
        arguments.hostname = "web-1"
        arguments.networks = ["default", "lan:IP=10.1.2.3"]
        arguments.disableCapabilities = true
        arguments.disablePaths = true
        arguments.disableSeccomp = true
        arguments.privateUsers = true
        arguments.localConfig = "/etc/skiff"
        XCTAssertEqual(arguments.arguments, [
            "--debug", "--interactive", "--hostname=web-1", "--net=default,lan:IP=10.1.2.3",
            "--disable-capabilities-restriction", "--disable-paths", "--disable-seccomp", "--private-users", "--local-config=/etc/skiff",
            stage1TestUUID,
        ])
        XCTAssertEqual(try RunArguments(parsing: arguments.arguments), arguments)
    }

    func testRunArgumentsDefaultsAreJustTheUUID() throws {
        let parsed = try RunArguments(parsing: [stage1TestUUID])
        XCTAssertEqual(parsed, RunArguments(uuid: stage1TestUUID))
        XCTAssertEqual(parsed.arguments, [stage1TestUUID])
        XCTAssertEqual(parsed.networks, [])
    }

    func testRunArgumentsAcceptSpaceSeparatedValues() throws {
        let parsed = try RunArguments(parsing: ["--hostname", "h", "--net", "host", stage1TestUUID])
        XCTAssertEqual(parsed.hostname, "h")
        XCTAssertEqual(parsed.networks, ["host"])
    }

    func testUnknownFlagIsAnErrorNamingIt() {
        XCTAssertThrowsError(try RunArguments(parsing: ["--mds-token=x", stage1TestUUID])) { error in
            XCTAssertTrue("\(error)".contains("unknown flag \"--mds-token\""), "\(error)")
        }
        XCTAssertThrowsError(try RunArguments(parsing: ["-d", stage1TestUUID])) { error in
            XCTAssertTrue("\(error)".contains("\"-d\""), "\(error)")
        }
        XCTAssertThrowsError(try StopArguments(parsing: ["--debug", stage1TestUUID])) { error in
            XCTAssertTrue("\(error)".contains("\"--debug\""), "\(error)")
        }
    }

    func testRunArgumentsErrors() {
        for (argv, expected) in [
            ([String](), "missing the pod UUID"),
            ([stage1TestUUID, stage1TestUUID], "unexpected argument"),
            (["6F1F4B8E-2C1D-4A7E-9B3A-0C5D7E9F1A2B"], "not a lowercase canonical UUID"),
            (["not-a-uuid"], "not a lowercase canonical UUID"),
            (["--debug=true", stage1TestUUID], "takes no value"),
            (["--net=a,,b", stage1TestUUID], "empty network name"),
            (["--hostname="], "needs a name"),
            ([stage1TestUUID, "--hostname"], "needs a value"),
        ] {
            XCTAssertThrowsError(try RunArguments(parsing: argv), "\(argv)") { error in
                XCTAssertTrue("\(error)".contains(expected), "\(argv): \(error)")
                XCTAssertEqual((error as? SkiffError)?.code, .usage)
            }
        }
    }

    func testEnterArgumentsRoundTrip() throws {
        let arguments = EnterArguments(pid: 4242, appName: "web", command: ["/bin/sh", "-c", "echo --pid=1"])
        XCTAssertEqual(arguments.arguments, ["--pid=4242", "--appname=web", "--", "/bin/sh", "-c", "echo --pid=1"])
        XCTAssertEqual(try EnterArguments(parsing: arguments.arguments), arguments)
        let empty = EnterArguments(pid: 1, appName: "a", command: [])
        XCTAssertEqual(try EnterArguments(parsing: empty.arguments), empty)
        // Without "--", the first positional starts the command.
        XCTAssertEqual(try EnterArguments(parsing: ["--pid=7", "--appname=a", "ls", "-l"]).command, ["ls", "-l"])
    }

    func testEnterArgumentsErrors() {
        for (argv, expected) in [
            (["--appname=a", "--", "sh"], "missing --pid"),
            (["--pid=3", "--", "sh"], "missing --appname"),
            (["--pid=0", "--appname=a"], "not a process ID"),
            (["--pid=x", "--appname=a"], "not a process ID"),
            (["--pid=3", "--appname=a", "--uid=0"], "unknown flag \"--uid\""),
        ] {
            XCTAssertThrowsError(try EnterArguments(parsing: argv), "\(argv)") { error in
                XCTAssertTrue("\(error)".contains(expected), "\(argv): \(error)")
            }
        }
    }

    func testStopAndGCArgumentsRoundTrip() throws {
        for force in [false, true] {
            let stop = StopArguments(force: force, uuid: stage1TestUUID)
            XCTAssertEqual(try StopArguments(parsing: stop.arguments), stop)
        }
        XCTAssertEqual(StopArguments(force: true, uuid: stage1TestUUID).arguments, ["--force", stage1TestUUID])
        for debug in [false, true] {
            let gc = GCArguments(debug: debug, uuid: stage1TestUUID)
            XCTAssertEqual(try GCArguments(parsing: gc.arguments), gc)
        }
        XCTAssertThrowsError(try GCArguments(parsing: [])) { error in
            XCTAssertTrue("\(error)".contains("gc arguments: missing the pod UUID"), "\(error)")
        }
    }

    func testEntrypointFromProgramName() {
        XCTAssertEqual(Stage1Entrypoint.split(["/x/stage1/rootfs/fly-run", "a"]).map { $0.0 }, .run)
        XCTAssertEqual(Stage1Entrypoint.split(["fly-enter"]).map { $0.0 }, .enter)
        XCTAssertEqual(Stage1Entrypoint.split(["/fly-gc", stage1TestUUID]).map { $0.1 }, [stage1TestUUID])
        XCTAssertEqual(Stage1Entrypoint.split(["/fly", "stop", "--force"]).map { $0.0 }, .stop)
        XCTAssertEqual(Stage1Entrypoint.split(["/fly", "stop", "--force"]).map { $0.1 }, ["--force"])
        XCTAssertNil(Stage1Entrypoint.split(["/fly", "start"]))
        XCTAssertNil(Stage1Entrypoint.split([]))
    }

    /// What fly reads of its environment: only the names asked for, and only those set.
    func testTheEnvironmentLimitedToTheNamesAStage1Reads() {
        TestEnvironment.with(["SKIFF_TEST_ONLY_A": "a=1 ü", "SKIFF_TEST_ONLY_EMPTY": ""]) {
            let environment = Stage1Entrypoint.environment(only: ["SKIFF_TEST_ONLY_A", "SKIFF_TEST_ONLY_EMPTY", "SKIFF_TEST_ONLY_UNSET"])
            XCTAssertEqual(environment, ["SKIFF_TEST_ONLY_A": "a=1 ü", "SKIFF_TEST_ONLY_EMPTY": ""])
            XCTAssertEqual(Stage1Entrypoint.environment(only: []), [:])
            XCTAssertEqual(Stage1Entrypoint.environment()["SKIFF_TEST_ONLY_A"], "a=1 ü", "the whole environment has it too")
        }
    }
}
