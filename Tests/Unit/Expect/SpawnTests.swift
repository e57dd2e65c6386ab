// spawn: argv and command lines, environment, working directory, window size, echo, exec errors.
import Expect
import Foundation
import XCTest

final class SpawnTests: XCTestCase {
    func testSpawnFromArgvPassesArgumentsVerbatim() throws {
        let session = try spawn(["printf", "[%s]", "a b", "", "$HOME", "*"])
        let all = try session.expect(.eof)
        XCTAssertEqual(all.beforeText, "[a b][][$HOME][*]")
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testSpawnFromCommandLineSplitsLikeAShellWithoutRunningOne() throws {
        let session = try spawn(commandLine: #"printf '[%s]' "two words" 'single $x' back\ slash"#)
        XCTAssertEqual(try session.expect(.eof).beforeText, "[two words][single $x][back slash]")
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testEnvironmentIsInheritedWithOverrides() throws {
        setenv("SKIFF_EXPECT_INHERITED", "from-parent", 1)
        defer { unsetenv("SKIFF_EXPECT_INHERITED") }
        let options = SpawnOptions(environmentOverrides: ["SKIFF_EXPECT_ADDED": "added"])
        let session = try spawn(["sh", "-c", "echo $SKIFF_EXPECT_INHERITED/$SKIFF_EXPECT_ADDED"], options: options)
        XCTAssertEqual(try session.readLine(), "from-parent/added")
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testExplicitEnvironmentReplacesTheInheritedOne() throws {
        setenv("SKIFF_EXPECT_INHERITED", "from-parent", 1)
        defer { unsetenv("SKIFF_EXPECT_INHERITED") }
        let options = SpawnOptions(environment: ["ONLY": "this", "PATH": "/usr/bin:/bin"])
        let session = try spawn(["env"], options: options)
        var lines: [String] = []
        while let line = try session.readLine() { lines.append(line) }
        XCTAssertEqual(lines.sorted(), ["ONLY=this", "PATH=/usr/bin:/bin"])
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testWorkingDirectory() throws {
        let dir = try TemporaryDirectory()
        let session = try spawn(["pwd"], options: SpawnOptions(workingDirectory: dir.path))
        let real = URL(fileURLWithPath: dir.path).resolvingSymlinksInPath().path
        XCTAssertEqual(try session.readLine(), real)
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testDefaultWindowIsWideAndConfigurable() throws {
        let standard = try spawn(["stty", "size"])
        XCTAssertEqual(try standard.readLine(), "24 200")
        XCTAssertEqual(try standard.wait(), .exited(0))

        let custom = try spawn(["stty", "size"], options: SpawnOptions(windowSize: WindowSize(rows: 50, columns: 132)))
        XCTAssertEqual(try custom.readLine(), "50 132")
        XCTAssertEqual(try custom.wait(), .exited(0))
    }

    func testEchoIsOffByDefaultSoSentTextIsNotSeenTwice() throws {
        let session = try spawn(["sh", "-c", "stty -a | grep -o -- '-\\?echo ' | head -1 | tr -d ' '; read x; echo got:$x"])
        XCTAssertEqual(try session.readLine(), "-echo")
        try session.sendLine("hello")
        let line = try session.readLine()
        XCTAssertEqual(line, "got:hello", "the sent text must not come back as an echo")
        XCTAssertFalse(try session.isEchoOn())
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testEchoOnShowsSentText() throws {
        let session = try spawn(["sh", "-c", "read x; echo got:$x"], options: SpawnOptions(echo: true))
        XCTAssertTrue(try session.isEchoOn())
        try session.sendLine("hello")
        XCTAssertEqual(try session.readLine(), "hello")
        XCTAssertEqual(try session.readLine(), "got:hello")
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testChildIsSessionLeaderWithTheTerminalAsControllingTTY() throws {
        let session = try spawn(["sh", "-c", "tty; ps -o sid= -p $$; echo $$"])
        let tty = try XCTUnwrap(try session.readLine())
        XCTAssertTrue(tty.hasPrefix("/dev/pts/"), tty)
        let sid = try XCTUnwrap(try session.readLine()).trimmingCharacters(in: .whitespaces)
        let pid = try XCTUnwrap(try session.readLine())
        XCTAssertEqual(sid, pid, "the child must lead its own session")
        XCTAssertEqual(pid, String(session.pid))
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testSignalMaskAndIgnoredSignalsAreResetInTheChild() throws {
        // An ignored SIGINT in this process must not be inherited: the child gets the default.
        let old = signal(SIGINT, SIG_IGN)
        defer { signal(SIGINT, old) }
        let session = try spawn(["sh", "-c", "grep -E '^Sig(Blk|Ign):' /proc/self/status"])
        XCTAssertEqual(try session.readLine(), "SigBlk:\t0000000000000000")
        XCTAssertEqual(try session.readLine(), "SigIgn:\t0000000000000000")
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testNoDescriptorOfTheParentLeaksIntoTheChild() throws {
        let fd = open("/dev/null", O_RDONLY)  // deliberately without O_CLOEXEC
        XCTAssertGreaterThan(fd, 2)
        defer { close(fd) }
        let session = try spawn(["ls", "/proc/self/fd"])
        let listed = try session.expect(.eof).beforeText.split(whereSeparator: \.isWhitespace).sorted()
        XCTAssertEqual(listed, ["0", "1", "2", "3"], "only stdio and ls's own directory fd")
        XCTAssertEqual(try session.wait(), .exited(0))
    }

    func testExecFailureIsAThrownErrorNamingProgramAndErrno() throws {
        XCTAssertThrowsError(try spawn(["/nonexistent/program"])) { error in
            guard case ExpectError.spawnFailed(let program, let operation, let code) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(program, "/nonexistent/program")
            XCTAssertEqual(operation, "execve")
            XCTAssertEqual(code, ENOENT)
            XCTAssertEqual(
                "\(error)", "spawn \"/nonexistent/program\": execve: ENOENT (No such file or directory)")
        }
        XCTAssertEqual(ProcessProbe.zombieCount(), 0, "the failed child must already be reaped")
    }

    func testNonExecutableFileGivesEACCES() throws {
        let dir = try TemporaryDirectory()
        let script = try dir.file("script", contents: "#!/bin/sh\necho hi\n", mode: 0o644)
        XCTAssertThrowsError(try spawn([script])) { error in
            guard case ExpectError.spawnFailed(_, "execve", EACCES) = error else { return XCTFail("\(error)") }
        }
    }

    func testProgramNotInPathIsReportedWithoutForking() throws {
        XCTAssertThrowsError(try spawn(["skiff-no-such-program"])) { error in
            XCTAssertEqual(
                "\(error)", "spawn \"skiff-no-such-program\": lookup in PATH: ENOENT (No such file or directory)")
        }
    }

    func testBadWorkingDirectoryIsAChdirError() throws {
        XCTAssertThrowsError(try spawn(["true"], options: SpawnOptions(workingDirectory: "/nonexistent/dir"))) {
            error in
            XCTAssertEqual("\(error)", "spawn \"true\": chdir \"/nonexistent/dir\": ENOENT (No such file or directory)")
        }
    }

    func testEmptyArgvAndBadCommandLinesAreInvalidArguments() {
        XCTAssertThrowsError(try spawn([])) { error in
            guard case ExpectError.invalidArgument = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try spawn(commandLine: "echo 'unterminated")) { error in
            XCTAssertEqual("\(error)", "split command line \"echo 'unterminated\": unterminated single quote")
        }
    }

    func testIgnoreHangupLetsTheChildSurviveTheTerminalClosing() throws {
        let session = try spawn(
            ["sh", "-c", "grep '^SigIgn' /proc/self/status; exec sleep 30"],
            options: SpawnOptions(ignoreHangup: true))
        XCTAssertEqual(try session.readLine(), "SigIgn:\t0000000000000001")
        XCTAssertEqual(session.terminate(), .signaled(SIGTERM), "HUP is ignored, TERM ends it")
    }
}
