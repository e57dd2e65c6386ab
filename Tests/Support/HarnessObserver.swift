// The end of the test bundle: print and write the stage1 matrix, then check that the whole run
// left nothing behind (mounts, processes, temp dirs, cgroups, netns, links, loop devices).
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// An XCTest observer registered once per test process (by `install()`), the first time a
/// `Stage1TestCase` class runs or a test calls `install()` itself.
///
/// At `testBundleDidFinish` it prints the stage1 matrix (if any case recorded into it) and
/// writes it to `Stage1Matrix.outputPath`; then it compares the system with the snapshot taken at
/// installation and, if anything was left, prints every leftover and exits with status 1, so the
/// run fails loudly even though every test passed. `SKIFF_TEST_LEAK_CHECK=0` turns that off.
public final class HarnessObserver: NSObject, XCTestObservation, Sendable {
    /// What existed when the observer was installed.
    public let baseline: LeakSnapshot

    private init(baseline: LeakSnapshot) { self.baseline = baseline }

    private static let installed: HarnessObserver = {
        let observer = HarnessObserver(baseline: LeakCheck.snapshot())
        XCTestObservationCenter.shared.addTestObserver(observer)
        return observer
    }()

    /// Registers the observer (once per process; later calls do nothing) and returns it.
    @discardableResult
    public static func install() -> HarnessObserver { installed }

    public func testBundleDidFinish(_ testBundle: Bundle) {
        if !Stage1Matrix.shared.isEmpty { Self.publish(Stage1Matrix.shared) }
        guard TestEnvironment.value("SKIFF_TEST_LEAK_CHECK") != "0" else { return }
        let left = LeakCheck.leftovers(since: baseline, settle: 3)
        guard !left.isEmpty else { return }
        let banner = String(repeating: "!", count: 72)
        let message = "\(banner)\nFAILED: the test run left things behind\n\(LeakCheck.report(left))\n\(banner)\n"
        Self.writeStandardError(message)
        exit(1)  // flushes stdout
    }

    /// Prints `matrix` and writes it where `Stage1Matrix.outputPath` says.
    static func publish(_ matrix: Stage1Matrix) {
        let text = matrix.render()
        print("\n" + text)
        guard let path = Stage1Matrix.outputPath else { return }
        do {
            try matrix.write(to: path)
            print("stage1 matrix written to \(path)")
        } catch {
            writeStandardError("write stage1 matrix to \(path): \(error)\n")
        }
    }

    private static func writeStandardError(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
