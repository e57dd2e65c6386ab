// --set-env, --set-env-file (format and errors naming file:line) and the precedence rkt
// documents: parent (with --inherit-env) < image < --set-env-file < --set-env < --environment.
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffRunOptions

final class RunOptionsEnvironmentTests: RunOptionsTempDirTestCase {
    func testSetEnv() throws {
        XCTAssertEqual(try parseRun(["--set-env=A=1", "--set-env", "B=x=y", "--set-env=C=", "a"]).setEnv, [runEnv("A", "1"), runEnv("B", "x=y"), runEnv("C", "")])
        assertRunError(["--set-env=A", "a"], "run: --set-env \"A\": not NAME=VALUE")
        assertRunError(["--set-env=A B=1", "a"], "run: --set-env \"A B=1\": \"A B\" is not a variable name")
        assertRunError(["--set-env=A=1", "--set-env=A=2", "a"], "run: --set-env \"A=2\": \"A\" already set")
    }

    func testSetEnvFileFormat() throws {
        let first = try write("a.env", "# comment\n; also a comment\n\nA=1\n  \t\nB=two words = ok\r\n  # indented comment\nC=\nD=#not a comment")
        let second = try write("b.env", "E=5")
        let request = try parseRun(["--set-env-file", first, "a", "--set-env-file=\(second)"])
        XCTAssertEqual(request.setEnvFiles, [first, second])
        XCTAssertEqual(request.fileEnvironment, [runEnv("A", "1"), runEnv("B", "two words = ok"), runEnv("C", ""), runEnv("D", "#not a comment"), runEnv("E", "5")])
    }

    func testSetEnvFileErrorsNameFileAndLine() throws {
        let noEquals = try write("bad.env", "A=1\n\nJUSTNAME\n")
        assertRunError(["--set-env-file", noEquals, "a"], "run: --set-env-file \(quote(noEquals)):3: \"JUSTNAME\": not NAME=VALUE")
        let badName = try write("name.env", "  A=1")
        assertRunError(["--set-env-file", badName, "a"], "run: --set-env-file \(quote(badName)):1: \"  A=1\": \"  A\" is not a variable name")
        let twice = try write("twice.env", "A=1\nB=2\nA=3")
        assertRunError(["--set-env-file", twice, "a"], "run: --set-env-file \(quote(twice)):3: \"A\" already set (\(quote(twice)):1)")
        let other = try write("other.env", "B=9")
        let base = try write("base.env", "B=1")
        assertRunError(["--set-env-file", base, "--set-env-file", other, "a"], "run: --set-env-file \(quote(other)):1: \"B\" already set (\(quote(base)):1)")
        let missing = directory + "/missing.env"
        assertRunError(["--set-env-file", missing, "a"], "run: --set-env-file: open \(quote(missing))", code: .system)
        assertRunError(["--set-env-file=", "a"], "run: --set-env-file \"\": must not be empty")
    }

    func testSetEnvFileAndSetEnvMayNameTheSameVariable() throws {
        let file = try write("a.env", "A=file")
        let request = try parseRun(["--set-env-file", file, "--set-env=A=flag", "a"])
        XCTAssertEqual(request.fileEnvironment, [runEnv("A", "file")])
        XCTAssertEqual(request.setEnv, [runEnv("A", "flag")])
    }

    func testPrecedenceAsRktDocumentsIt() {
        let parent = ["P": "parent", "I": "parent", "F": "parent", "S": "parent", "E": "parent", "bad=name": "x"]
        let composed = composeEnvironment(
            parent: parent, inherit: true, image: [runEnv("I", "image"), runEnv("F", "image"), runEnv("S", "image"), runEnv("E", "image")],
            files: [("F", "file"), ("S", "file"), ("E", "file")], setEnv: [("S", "set"), ("E", "set")], perApp: [("E", "app")])
        XCTAssertEqual(composed, [runEnv("E", "app"), runEnv("F", "file"), runEnv("I", "image"), runEnv("P", "parent"), runEnv("S", "set")])
    }

    func testParentOnlyWithInheritAndOrderOfFirstAppearance() {
        let parent = ["HOME": "/root"]
        let withoutInherit = composeEnvironment(
            parent: parent, inherit: false, image: [runEnv("PATH", "/bin"), runEnv("Z", "1")], files: [("A", "f")], setEnv: [("Z", "2")],
            perApp: [("PATH", "/usr/bin"), ("N", "new")])
        XCTAssertEqual(withoutInherit, [runEnv("PATH", "/usr/bin"), runEnv("Z", "2"), runEnv("A", "f"), runEnv("N", "new")])
        let inherited = composeEnvironment(parent: parent, inherit: true, image: [], files: [], setEnv: [], perApp: [])
        XCTAssertEqual(inherited, [runEnv("HOME", "/root")])
        var request = PodRequest()
        request.fileEnvironment = [runEnv("A", "file")]
        request.setEnv = [runEnv("A", "set"), runEnv("B", "set")]
        XCTAssertEqual(composeEnvironment(parent: parent, image: [runEnv("B", "image")], request: request, perApp: []), [runEnv("B", "set"), runEnv("A", "set")])
        request.inheritEnv = true
        XCTAssertEqual(composeEnvironment(parent: parent, image: [], request: request, perApp: [runEnv("A", "app")]).map(\.value), ["/root", "app", "set"])
    }

    func testRktDocumentedExample() throws {
        // rkt run --inherit-env --set-env=FOO=bar --set-env=EXAMPLE_OVERRIDE=over IMAGE --environment=EXAMPLE_OVERRIDE=ride
        let request = try parseRun(["--inherit-env", "--set-env=FOO=bar", "--set-env=EXAMPLE_OVERRIDE=over", "example.com/env-printer",
            "--environment=EXAMPLE_OVERRIDE=ride"])
        let app = try resolveApp(
            image: App(exec: ["/print"], user: "0", group: "0"), imageName: "example.com/env-printer", options: request.apps[0],
            request: request, parentEnvironment: ["EXAMPLE_ENV": "hello", "EXAMPLE_OVERRIDE": "under"])
        XCTAssertEqual(app.environmentValue("EXAMPLE_ENV"), "hello")
        XCTAssertEqual(app.environmentValue("FOO"), "bar")
        XCTAssertEqual(app.environmentValue("EXAMPLE_OVERRIDE"), "ride")
    }
}
