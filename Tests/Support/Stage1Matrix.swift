// The result of every (case, stage1) pair of a run, printed as a table at the end: what each
// stage1 supports is part of the product (rkt hid this in build tags).
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem
import Synchronization

/// How one case went on one stage1.
public enum Stage1Outcome: Sendable, Hashable {
    case pass
    /// Failed; the first failure message.
    case fail(String)
    /// Declared in code as impossible for this flavor by design, with the reason. Not a skip.
    case notSupported(String)
    /// Not run here for a reason of this machine (no KVM, not root...).
    case skipped(String)

    /// The table cell.
    public var cell: String {
        switch self {
        case .pass: return "pass"
        case .fail: return "FAIL"
        case .notSupported: return "n-s"
        case .skipped: return "skip"
        }
    }
}

/// A thread-safe record of outcomes, in the order cases and stage1s were first seen.
public final class Stage1Matrix: Sendable {
    private struct State {
        var cases: [String] = []
        var stage1s: [String] = []
        var cells: [String: [String: Stage1Outcome]] = [:]
        var images: [String: String] = [:]
    }

    private let state = Mutex(State())

    /// The matrix of this test run, printed and written when the bundle finishes.
    public static let shared = Stage1Matrix()

    /// An empty matrix.
    public init() {}

    /// Records how `caseName` went on `stage1` (a later record for the same pair replaces it).
    public func record(case caseName: String, stage1: String, _ outcome: Stage1Outcome) {
        state.withLock { state in
            if !state.cases.contains(caseName) { state.cases.append(caseName) }
            if !state.stage1s.contains(stage1) { state.stage1s.append(stage1) }
            state.cells[caseName, default: [:]][stage1] = outcome
        }
    }

    /// Remembers which image a stage1 name stands for (listed under the table).
    public func register(_ stage1: Stage1UnderTest) {
        state.withLock { state in
            if !state.stage1s.contains(stage1.name) { state.stage1s.append(stage1.name) }
            state.images[stage1.name] = stage1.flavor == stage1.name
                ? stage1.path : "\(stage1.path) (flavor \(stage1.flavor))"
        }
    }

    /// The recorded outcome, if any.
    public func outcome(case caseName: String, stage1: String) -> Stage1Outcome? {
        state.withLock { $0.cells[caseName]?[stage1] }
    }

    /// Whether nothing was recorded.
    public var isEmpty: Bool { state.withLock { $0.cases.isEmpty } }

    /// The table (case x stage1, cells pass/FAIL/n-s/skip, `-` where a case did not run on a
    /// stage1), then the reason of every n-s, FAIL and skip cell.
    public func render() -> String {
        let snapshot = state.withLock { $0 }
        let header = ["case"] + snapshot.stage1s
        var rows = [header]
        for name in snapshot.cases {
            rows.append([name] + snapshot.stage1s.map { snapshot.cells[name]?[$0]?.cell ?? "-" })
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.enumerated().map { $1.padding(widths[$0]) }.joined(separator: " | ").trimmedRight
        }
        let cases = snapshot.cases.count == 1 ? "1 case" : "\(snapshot.cases.count) cases"
        let stage1s = snapshot.stage1s.count == 1 ? "1 stage1" : "\(snapshot.stage1s.count) stage1s"
        var out = [
            "stage1 matrix: \(cases) x \(stage1s) "
                + "(n-s: not supported by design; skip: not runnable on this machine)"
        ]
        out.append(line(rows[0]))
        out.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-"))
        out += rows.dropFirst().map(line)
        let images = snapshot.stage1s.compactMap { name in snapshot.images[name].map { "  \(name): \($0)" } }
        if !images.isEmpty { out += ["", "stage1 images:"] + images }
        for (title, pick) in [
            ("not supported by design", Self.notSupportedReason), ("failures", Self.failure),
            ("skipped", Self.skipReason),
        ] {
            let notes = snapshot.cases.flatMap { name in
                snapshot.stage1s.compactMap { stage1 in
                    snapshot.cells[name]?[stage1].flatMap(pick).map { "  \(name) on \(stage1): \($0)" }
                }
            }
            if !notes.isEmpty { out += ["", title + ":"] + notes }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Writes `render()` to `path`.
    public func write(to path: String) throws {
        try FileSystem.createDirectory(FileSystem.parentPath(path))
        try FileSystem.writeAtomically(path, Array(render().utf8))
    }

    /// Where the matrix goes: `$SKIFF_TEST_MATRIX`, else `.build/test-matrix.txt` of the build
    /// the tests run from; nil if neither is known.
    public static var outputPath: String? {
        TestEnvironment.value("SKIFF_TEST_MATRIX") ?? TestEnvironment.buildDirectory.map { $0 + "/test-matrix.txt" }
    }

    private static func notSupportedReason(_ outcome: Stage1Outcome) -> String? {
        if case .notSupported(let reason) = outcome { return reason }
        return nil
    }
    private static func failure(_ outcome: Stage1Outcome) -> String? {
        if case .fail(let message) = outcome { return message.split(separator: "\n").first.map(String.init) ?? message }
        return nil
    }
    private static func skipReason(_ outcome: Stage1Outcome) -> String? {
        if case .skipped(let reason) = outcome { return reason }
        return nil
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
    fileprivate var trimmedRight: String {
        var text = Substring(self)
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
