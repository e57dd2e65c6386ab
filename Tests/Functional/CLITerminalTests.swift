// skiff on a real terminal: what a person typing the commands sees.
import Expect
import ExpectTesting
import XCTest

final class CLITerminalTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(
            FileManager.default.isExecutableFile(atPath: SkiffBinary.path),
            "no skiff binary at \(SkiffBinary.path): build it first (make build-tests) or set SKIFF_BIN")
    }

    func testVersionOnATerminal() throws {
        let child = try spawnOrFail([SkiffBinary.path, "version"])
        let match = try expectOrFail(child, try .regex(#"skiff Version: (\d+\.\d+\.\d+)\r\n"#))
        XCTAssertEqual(match.beforeText, "", "the version comes first")
        try expectOrFail(child, try .regex(#"OS/Arch: linux/\w+\r\n"#))
        try waitOrFail(child, status: .exited(0))
    }

    func testHelpListsCommandsOnATerminal() throws {
        let child = try spawnOrFail([SkiffBinary.path, "help"])
        try expectOrFail(child, "Usage:\r\n  skiff [global flags] <command> [flags] [arguments]\r\n")
        try expectOrFail(child, try .regex(#"\r\n  help +Show help"#))
        try expectOrFail(child, try .regex(#"\r\n  version +Print the version"#))
        try waitOrFail(child, status: .exited(0))
    }

    func testUnknownCommandExits254WithOneLine() throws {
        let child = try spawnOrFail([SkiffBinary.path, "no-such-command"])
        let all = try expectOrFail(child, .eof)
        XCTAssertEqual(all.beforeText, "skiff: unknown command \"no-such-command\" (see 'skiff help')\r\n")
        try waitOrFail(child, status: .exited(254))
    }
}
