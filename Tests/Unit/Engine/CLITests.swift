// The skiff command line: dispatch, help, version, flag parsing and usage errors.
@testable import Engine
import Foundation
import XCTest

/// Runs the CLI in-process and captures what it prints.
private final class Captured: @unchecked Sendable {
    private let lock = NSLock()
    private var outText = ""
    private var errText = ""
    var out: String { lock.withLock { outText } }
    var err: String { lock.withLock { errText } }

    var output: CommandOutput {
        CommandOutput(
            out: { text in self.lock.withLock { self.outText += text } },
            err: { text in self.lock.withLock { self.errText += text } })
    }
}

private func skiff(_ arguments: String...) -> (status: Int32, out: String, err: String) {
    skiff(arguments)
}

private func skiff(_ arguments: [String]) -> (status: Int32, out: String, err: String) {
    let captured = Captured()
    let status = SkiffCLI.run(arguments, output: captured.output)
    return (status, captured.out, captured.err)
}

final class CLITests: XCTestCase {
    func testVersionPrintsOneFactPerLine() {
        let result = skiff("version")
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.err, "")
        let lines = result.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "skiff Version: \(SkiffVersion.skiff)")
        XCTAssertTrue(lines.contains("appc Version: 0.8.11"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("OS/Arch: linux/") })
    }

    func testVersionAsJSONParses() throws {
        let result = skiff("version", "--format=json")
        XCTAssertEqual(result.status, 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: String]
        XCTAssertEqual(object?["skiff"], SkiffVersion.skiff)
        XCTAssertEqual(object?["appc"], SkiffVersion.appc)
        XCTAssertEqual(skiff("version", "--format", "json").out, result.out, "--flag value works like --flag=value")
    }

    func testHelpListsEveryCommandWithItsSummary() {
        for invocation in [skiff("help"), skiff("--help"), skiff()] {
            XCTAssertEqual(invocation.status, 0)
            for command in SkiffCLI.commands {
                XCTAssertTrue(invocation.out.contains("  \(command.name)"), "\(command.name) missing")
                XCTAssertTrue(invocation.out.contains(command.summary))
            }
        }
    }

    func testCommandTableNamesMatchTheirSpecs() {
        for entry in SkiffCLI.table { XCTAssertEqual(entry.spec().name, entry.name) }
        XCTAssertEqual(Set(SkiffCLI.table.map(\.name)).count, SkiffCLI.table.count, "names are unique")
        XCTAssertEqual(SkiffCLI.find(["image", "list", "--full"])?.0.name, "image list", "the longest name wins")
        XCTAssertEqual(SkiffCLI.find(["image", "lists"])?.1, 1, "image, then its unknown subcommand")
        XCTAssertNil(SkiffCLI.find(["imag"]))
    }

    func testEveryCommandHasAHelpPage() {
        for command in SkiffCLI.commands {
            let words = command.name.split(separator: " ").map(String.init)
            let viaFlag = skiff(words + ["--help"])
            XCTAssertEqual(viaFlag.status, 0, command.name)
            XCTAssertTrue(viaFlag.out.hasPrefix("skiff \(command.name) - \(command.summary)\n"), viaFlag.out)
            XCTAssertTrue(viaFlag.out.contains("Usage:\n  \(command.usage)\n"))
            XCTAssertEqual(skiff(["help"] + words).out, viaFlag.out)
        }
    }

    func testUnknownCommandIsAOneLineErrorWithStatus254() {
        let result = skiff("frobnicate")
        XCTAssertEqual(result.status, 254)
        XCTAssertEqual(result.out, "")
        XCTAssertEqual(result.err, "skiff: unknown command \"frobnicate\" (see 'skiff help')\n")
    }

    func testFlagErrorsNameTheFlagAndTheCommand() {
        XCTAssertEqual(skiff("version", "--bogus").err, "skiff: version: unknown flag --bogus\n")
        XCTAssertEqual(skiff("version", "--format").err, "skiff: version: flag --format needs a value\n")
        XCTAssertEqual(skiff("version", "--format=xml").err, "skiff: version: unknown format \"xml\" (text or json)\n")
        XCTAssertEqual(skiff("version", "--debug=maybe").err, "skiff: version: flag --debug takes true or false, not \"maybe\"\n")
        XCTAssertEqual(skiff("version", "extra").err, "skiff: version: takes no arguments, got \"extra\"\n")
        XCTAssertEqual(skiff("help", "nope").status, 254)
    }

    func testGlobalFlagsWorkBeforeAndAfterTheCommand() {
        XCTAssertEqual(skiff("--debug", "version").status, 0)
        XCTAssertEqual(skiff("version", "--debug").status, 0)
        XCTAssertEqual(skiff("--bogus", "version").err, "skiff: version: unknown flag --bogus\n")
    }

    func testFlagParserSemantics() throws {
        let specs = [
            FlagSpec("name", .value(placeholder: "N", defaultValue: "dflt"), help: ""),
            FlagSpec("tag", .repeatable(placeholder: "T"), help: ""),
            FlagSpec("on", .bool, help: ""),
        ]
        let parsed = try FlagParser.parse(
            ["a", "--tag=x", "--on", "--tag", "y", "b", "--", "--on"], specs: specs, command: "t")
        XCTAssertEqual(parsed.positionals, ["a", "b", "--on"])
        XCTAssertEqual(parsed.values["tag"], ["x", "y"])
        XCTAssertTrue(parsed.isSet("on"))
        XCTAssertEqual(parsed.value("name", in: specs), "dflt")

        let strict = try FlagParser.parse(["img", "--on"], specs: specs, command: "t", interspersed: false)
        XCTAssertEqual(strict.positionals, ["img", "--on"], "without interspersing, flags after the first argument are arguments")
        XCTAssertFalse(try FlagParser.parse(["--on=false"], specs: specs, command: "t").isSet("on"))
    }

    func testSkiffErrorRendersErrnoOnce() {
        XCTAssertEqual(SkiffError.system("open \"/x\"", errno: ENOENT).description, "open \"/x\": ENOENT (No such file or directory)")
        XCTAssertEqual(SkiffError(.usage, "bad").description, "bad")
    }
}
