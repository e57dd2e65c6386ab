// Running one functional case once per stage1, XCTest style: every assertion failure inside the
// body names the stage1, and each (case, stage1) outcome goes into the matrix.
import XCTest

/// A functional case as declared in code: its name and the flavors that cannot support it by
/// design, each with the reason (printed in the matrix as `n-s`, never silently skipped).
///
///     static let multiApp = Stage1Case("multi-app pod", notSupported: ["fly": "fly runs exactly one app"])
public struct Stage1Case: Sendable, Hashable {
    /// The name in the matrix.
    public let name: String
    /// Flavor (or stage1 name) -> why that flavor cannot support the case.
    public let notSupported: [String: String]

    /// A case named `name`, unsupported by the flavors in `notSupported`.
    public init(_ name: String, notSupported: [String: String] = [:]) {
        self.name = name
        self.notSupported = notSupported
    }

    /// Why `stage1` cannot run this case, nil if it can (looked up by flavor, then by name).
    public func reasonNotSupported(on stage1: Stage1UnderTest) -> String? {
        notSupported[stage1.flavor] ?? notSupported[stage1.name]
    }
}

/// Base class of functional tests that run against every stage1 (`forEachStage1`). Installs the
/// harness observer, which prints the matrix and checks for leaks when the test bundle ends.
open class Stage1TestCase: XCTestCase {
    /// The stage1 the current `forEachStage1` body runs against; nil outside a body.
    public private(set) var currentStage1: Stage1UnderTest?
    private var failuresOnCurrentStage1: [String] = []

    /// The matrix this class records into; the shared one unless overridden.
    open var stage1Matrix: Stage1Matrix { .shared }

    /// The stage1s to run on: `$SKIFF_TEST_STAGE1S`, else every stage1 next to skiff.
    open func stage1sUnderTest() throws -> [Stage1UnderTest] { try Stage1UnderTest.fromEnvironment() }

    /// Whether each stage1's run of a body must leave nothing behind (checked with `leakScope`
    /// right after the body; leftovers fail that stage1's cell). Off by default: a body that
    /// runs pods must `gc` them first, which is what a class turning this on asserts.
    open var checksLeaksPerStage1: Bool { false }

    /// What the per-stage1 leak check looks at.
    open var leakScope: LeakScope { .standard }

    /// Called after each stage1's run of a `forEachStage1` body (before the leak check), whatever
    /// the outcome: a subclass cleans up there, so that the next stage1 starts from the same
    /// state (pod tests remove the pods the body made). A thrown error fails that stage1's cell.
    open func stage1RunDidFinish(_ stage1: Stage1UnderTest) throws {}

    override open class func setUp() {
        super.setUp()
        HarnessObserver.install()
    }

    /// Runs `body` once per stage1 under test, recording pass, FAIL, n-s (declared by
    /// `testCase`) or skip (the body threw `XCTSkip`) for each. A failing stage1 does not stop
    /// the others; its failures fail this test with `[stage1 <name>]` in front of the message.
    /// Throws `XCTSkip` when no stage1 is available or every stage1 skipped.
    public func forEachStage1(
        _ testCase: Stage1Case, file: StaticString = #filePath, line: UInt = #line,
        _ body: (Stage1UnderTest) throws -> Void
    ) throws {
        let stage1s = try stage1sUnderTest()
        guard !stage1s.isEmpty else {
            throw XCTSkip(
                "no stage1 images next to \(TestEnvironment.skiffBinary) and \(Stage1UnderTest.environmentVariable) unset",
                file: file, line: line)
        }
        var skips: [String] = []
        for stage1 in stage1s {
            stage1Matrix.register(stage1)
            if let reason = testCase.reasonNotSupported(on: stage1) {
                stage1Matrix.record(case: testCase.name, stage1: stage1.name, .notSupported(reason))
                continue
            }
            currentStage1 = stage1
            failuresOnCurrentStage1 = []
            var outcome = Stage1Outcome.pass
            let before = checksLeaksPerStage1 ? LeakCheck.snapshot(leakScope) : nil
            do {
                try body(stage1)
            } catch let skip as XCTSkip {
                let reason = skip.message ?? "skipped"
                skips.append("\(stage1.name): \(reason)")
                outcome = .skipped(reason)
            } catch {
                recordFailure(
                    withDescription: "error thrown: \(error)", inFile: "\(file)", atLine: Int(line), expected: false)
            }
            do {
                try stage1RunDidFinish(stage1)
            } catch {
                recordFailure(
                    withDescription: "clean-up after the case: \(error)", inFile: "\(file)", atLine: Int(line), expected: false)
            }
            if let before, case let left = LeakCheck.leftovers(since: before), !left.isEmpty {
                recordFailure(
                    withDescription: "left behind after the case: " + LeakCheck.report(left), inFile: "\(file)",
                    atLine: Int(line), expected: true)
            }
            if let first = failuresOnCurrentStage1.first { outcome = .fail(first) }
            stage1Matrix.record(case: testCase.name, stage1: stage1.name, outcome)
            currentStage1 = nil
        }
        let ran = stage1s.filter { testCase.reasonNotSupported(on: $0) == nil }
        if !ran.isEmpty && skips.count == ran.count {
            throw XCTSkip(skips.joined(separator: "; "), file: file, line: line)
        }
    }

    /// `forEachStage1` for a case named after the running test (`testExitStatus` -> "exitStatus").
    public func forEachStage1(
        notSupported: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line,
        _ body: (Stage1UnderTest) throws -> Void
    ) throws {
        try forEachStage1(Stage1Case(caseNameFromTest, notSupported: notSupported), file: file, line: line, body)
    }

    /// The running test's method name without `test`, first letter lowercased.
    public var caseNameFromTest: String {
        var method = String(name.split(separator: ".").last ?? Substring(name))
        method = method.split(separator: " ").last.map(String.init) ?? method  // "-[Class testX]" form
        method = method.trimmingCharacters(in: ["]", "(", ")"])
        if method.hasPrefix("test") { method.removeFirst(4) }
        guard let first = method.first else { return name }
        return first.lowercased() + method.dropFirst()
    }

    override open func recordFailure(
        withDescription description: String, inFile filePath: String, atLine lineNumber: Int, expected: Bool
    ) {
        guard let stage1 = currentStage1 else {
            deliverFailure(description, inFile: filePath, atLine: lineNumber, expected: expected)
            return
        }
        let named = "[stage1 \(stage1.name)] \(description)"
        failuresOnCurrentStage1.append(named)
        deliverFailure(named, inFile: filePath, atLine: lineNumber, expected: expected)
    }

    /// Hands a failure to XCTest. Only the harness's own tests override it, to check the failure
    /// path without failing themselves.
    open func deliverFailure(_ description: String, inFile filePath: String, atLine lineNumber: Int, expected: Bool) {
        super.recordFailure(withDescription: description, inFile: filePath, atLine: lineNumber, expected: expected)
    }
}
