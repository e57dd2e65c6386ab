// The stage1 matrix with a fake stage1 list: outcomes recorded per (case, stage1), failures named
// by stage1, n-s declared, skips, the printed table.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem
@testable import SkiffTestSupport
import XCTest

final class Stage1MatrixTests: Stage1TestCase {
    private let matrix = Stage1Matrix()
    /// Failures the harness handed to XCTest while `capturing` was set, instead of failing this test.
    private var captured: [String] = []
    private var capturing = false

    private var leakChecking = false
    private var privateLeakScope = LeakScope.standard

    override var stage1Matrix: Stage1Matrix { matrix }
    override var checksLeaksPerStage1: Bool { leakChecking }
    override var leakScope: LeakScope { privateLeakScope }

    override func stage1sUnderTest() throws -> [Stage1UnderTest] {
        ["fly", "container", "kvm"].map { Stage1UnderTest(name: $0, path: "/nonexistent/stage1-\($0).aci") }
    }

    override func deliverFailure(_ description: String, inFile filePath: String, atLine lineNumber: Int, expected: Bool)
    {
        if capturing {
            captured.append(description)
        } else {
            super.deliverFailure(description, inFile: filePath, atLine: lineNumber, expected: expected)
        }
    }

    private struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }

    func testOutcomesAreRecordedPerStage1AndFailuresNameTheStage1() throws {
        var ran: [String] = []
        capturing = true
        try forEachStage1(Stage1Case("multi-app pod", notSupported: ["fly": "fly runs exactly one app"])) { stage1 in
            ran.append(stage1.name)
            if stage1.name == "kvm" { XCTAssertEqual(1, 2, "deliberate") }
        }
        try forEachStage1(Stage1Case("exit status")) { stage1 in
            ran.append(stage1.name)
            if stage1.name == "container" { throw Boom() }
        }
        capturing = false
        XCTAssertEqual(
            ran, ["container", "kvm", "fly", "container", "kvm"], "n-s cells do not run; failures do not stop the rest")
        XCTAssertEqual(matrix.outcome(case: "multi-app pod", stage1: "fly"), .notSupported("fly runs exactly one app"))
        XCTAssertEqual(matrix.outcome(case: "multi-app pod", stage1: "container"), .pass)
        XCTAssertEqual(matrix.outcome(case: "multi-app pod", stage1: "kvm")?.cell, "FAIL")
        XCTAssertEqual(matrix.outcome(case: "exit status", stage1: "fly"), .pass)
        XCTAssertEqual(matrix.outcome(case: "exit status", stage1: "container")?.cell, "FAIL")
        XCTAssertEqual(captured.count, 2, "\(captured)")
        XCTAssertTrue(captured[0].hasPrefix("[stage1 kvm] ") && captured[0].contains("deliberate"), captured[0])
        XCTAssertTrue(captured[1].hasPrefix("[stage1 container] error thrown: boom"), captured[1])
        XCTAssertNil(currentStage1, "no stage1 is current outside a body")
    }

    func testSkipsAreRecordedAndAllSkippedSkipsTheTest() throws {
        try forEachStage1(Stage1Case("kvm only in CI")) { stage1 in
            if stage1.name == "kvm" { throw XCTSkip("no /dev/kvm") }
        }
        XCTAssertEqual(matrix.outcome(case: "kvm only in CI", stage1: "kvm"), .skipped("no /dev/kvm"))
        XCTAssertEqual(matrix.outcome(case: "kvm only in CI", stage1: "fly"), .pass)
        do {
            try forEachStage1(Stage1Case("never here", notSupported: ["fly": "by design"])) { _ in
                throw XCTSkip("not root")
            }
            XCTFail("every runnable stage1 skipped: the test must be skipped")
        } catch let skip as XCTSkip {
            XCTAssertEqual(skip.message, "container: not root; kvm: not root")
        }
        XCTAssertEqual(matrix.outcome(case: "never here", stage1: "fly"), .notSupported("by design"))
    }

    func testPerStage1LeakCheckFailsTheStage1ThatLeaves() throws {
        let directory = try TestDirectory("stage1-leaks")
        privateLeakScope = LeakScope(roots: [directory.path], temporaryDirectory: directory.path, temporaryPrefixes: ["skiff-"])
        privateLeakScope.kinds = [.temporaryDirectory]
        leakChecking = true
        capturing = true
        var left = ""
        try forEachStage1(Stage1Case("gc releases everything")) { stage1 in
            if stage1.name == "container" {
                left = try FileSystem.makeTemporaryDirectory(in: directory.path, prefix: "skiff-pod-")
            }
        }
        capturing = false
        leakChecking = false
        XCTAssertEqual(captured, ["[stage1 container] left behind after the case: leak check: 1 leftover\n  temp dir: \(left)"])
        XCTAssertEqual(matrix.outcome(case: "gc releases everything", stage1: "fly"), .pass)
        XCTAssertEqual(matrix.outcome(case: "gc releases everything", stage1: "container")?.cell, "FAIL")
        XCTAssertEqual(matrix.outcome(case: "gc releases everything", stage1: "kvm"), .pass, "kvm's snapshot includes it")
    }

    func testCaseNameDerivedFromTheTestMethod() throws {
        XCTAssertEqual(caseNameFromTest, "caseNameDerivedFromTheTestMethod")
        try forEachStage1 { _ in }
        XCTAssertEqual(matrix.outcome(case: "caseNameDerivedFromTheTestMethod", stage1: "kvm"), .pass)
    }

    func testRenderedTableAndNotes() throws {
        let table = Stage1Matrix()
        table.record(case: "exit status", stage1: "fly", .pass)
        table.record(case: "exit status", stage1: "container", .pass)
        table.record(case: "multi-app pod", stage1: "fly", .notSupported("fly runs one app"))
        table.record(case: "multi-app pod", stage1: "container", .fail("[stage1 container] status 1\nmore"))
        table.record(case: "kvm boot", stage1: "kvm", .skipped("no /dev/kvm"))
        table.register(Stage1UnderTest(name: "kvm", path: "/usr/lib/skiff/stage1-images/stage1-kvm.aci"))
        table.register(Stage1UnderTest(name: "fly", path: "/opt/stage1-fly.aci", flavor: "chroot"))
        let expected = """
            stage1 matrix: 3 cases x 3 stage1s (n-s: not supported by design; skip: not runnable on this machine)
            case          | fly  | container | kvm
            --------------+------+-----------+-----
            exit status   | pass | pass      | -
            multi-app pod | n-s  | FAIL      | -
            kvm boot      | -    | -         | skip

            stage1 images:
              fly: /opt/stage1-fly.aci (flavor chroot)
              kvm: /usr/lib/skiff/stage1-images/stage1-kvm.aci

            not supported by design:
              multi-app pod on fly: fly runs one app

            failures:
              multi-app pod on container: [stage1 container] status 1

            skipped:
              kvm boot on kvm: no /dev/kvm

            """
        XCTAssertEqual(table.render(), expected)

        let directory = try TestDirectory("matrix")
        try table.write(to: directory.path + "/out/test-matrix.txt")
        XCTAssertEqual(
            String(decoding: try FileSystem.read(directory.path + "/out/test-matrix.txt"), as: UTF8.self), expected)
    }

    func testObserverIsInstalledOnce() {
        XCTAssertTrue(HarnessObserver.install() === HarnessObserver.install())
    }

    func testResolveStage1sFromTheEnvironmentForm() throws {
        let directory = try TestDirectory("stage1s")
        func makeStage1(_ file: String, flavor: String?) throws {
            let staging = directory.path + "/staging-" + file
            try FileSystem.createDirectory(staging + "/rootfs")
            let annotation =
                flavor.map { #","annotations":[{"name":"skiff.dev/stage1/flavor","value":"\#($0)"}]"# } ?? ""
            try FileSystem.writeAtomically(
                staging + "/manifest",
                Array(#"{"acKind":"ImageManifest","acVersion":"0.8.11","name":"x"\#(annotation)}"#.utf8))
            let tar = try Subprocess.run([
                "tar", "-czf", directory.path + "/" + file, "-C", staging, "manifest", "rootfs",
            ])
            XCTAssertEqual(tar.status, 0, tar.stderrText)
        }
        try makeStage1("stage1-container.aci", flavor: "container")
        try makeStage1("stage1-fly.aci", flavor: nil)
        try makeStage1("stage1-acme.aci", flavor: "fly")

        let all = try Stage1UnderTest.resolve(nil, binaryDirectory: directory.path)
        XCTAssertEqual(all.map(\.name), ["fly", "container", "acme"], "Skiff's flavors first, then the rest")
        XCTAssertEqual(all.map(\.flavor), ["fly", "container", "fly"], "the annotation decides the flavor")

        let chosen = try Stage1UnderTest.resolve(
            " container , \(directory.path)/stage1-acme.aci", binaryDirectory: directory.path)
        XCTAssertEqual(chosen.map(\.name), ["container", "acme"])
        XCTAssertEqual(chosen.last?.path, directory.path + "/stage1-acme.aci")
        XCTAssertThrowsError(try Stage1UnderTest.resolve("fly,kvm", binaryDirectory: directory.path)) { error in
            XCTAssertTrue("\(error)".contains("stage1 \"kvm\" from SKIFF_TEST_STAGE1S"), "\(error)")
        }
        XCTAssertEqual(try Stage1UnderTest.resolve("", binaryDirectory: directory.path + "/staging-stage1-fly.aci"), [])
    }
}
