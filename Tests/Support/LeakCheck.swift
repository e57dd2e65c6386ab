// What tests must not leave behind: snapshot before, compare after, name every leftover.
#if canImport(Glibc)
import Glibc
#endif
import XCTest

/// Which part of the system a leak check looks at. Paths are string prefixes, so
/// `<tmp>/skiff-` covers every `<tmp>/skiff-*` directory and everything under them.
public struct LeakScope: Sendable {
    /// Mounts under these prefixes, and processes whose cwd, executable or command line
    /// mentions them, are the tests'.
    public var roots: [String]
    /// Mounts whose mount point contains this word are the tests' too, wherever they are.
    public var mountKeyword = "skiff"
    /// The directory temporary directories are made in, and the name prefixes the tests use.
    public var temporaryDirectory: String
    /// Name prefixes of the tests' temporary directories.
    public var temporaryPrefixes: [String]
    /// Names in `temporaryDirectory` that may appear and stay (the build cache).
    public var ignoredTemporaryNames: [String]
    /// Cgroups whose directory name contains this word are the tests'.
    public var cgroupKeyword = "skiff"
    /// The kinds looked at (all by default). Every source except temp dirs and the injectable
    /// roots below is system-wide, so a test of one kind can exclude what other runs on the same
    /// machine might be doing meanwhile.
    public var kinds = Set(LeakItem.Kind.allCases)
    /// Roots of the host's state, injectable for tests of the leak check itself.
    public var cgroupRoot = "/sys/fs/cgroup"
    /// Where named network namespaces are bound (`ip netns list` reads the same directory).
    public var netnsDirectory = "/run/netns"
    /// procfs (processes and this process's mountinfo).
    public var procRoot = "/proc"

    /// A scope over `roots` and the given temporary directory prefixes.
    public init(
        roots: [String], temporaryDirectory: String, temporaryPrefixes: [String], ignoredTemporaryNames: [String] = []
    ) {
        self.roots = roots
        self.temporaryDirectory = temporaryDirectory
        self.temporaryPrefixes = temporaryPrefixes
        self.ignoredTemporaryNames = ignoredTemporaryNames
    }

    /// Everything Skiff's tests make: `<tmp>/skiff-*` (harness worlds, scratch dirs, gpg homes),
    /// mounts with "skiff" in their path, cgroups named *skiff*, every network namespace, veth,
    /// loop device and QEMU process. The test cache is ignored.
    public static var standard: LeakScope {
        let tmp = TestEnvironment.temporaryDirectory
        return LeakScope(
            roots: [tmp + "/skiff-"], temporaryDirectory: tmp, temporaryPrefixes: ["skiff-"],
            ignoredTemporaryNames: [TestEnvironment.cacheDirectoryName])
    }
}

/// One thing a test may leave behind.
public struct LeakItem: Hashable, Sendable, CustomStringConvertible {
    /// What kind of resource it is.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case mount, process
        case temporaryDirectory = "temp dir"
        case cgroup, netns, link
        case loopDevice = "loop device"
    }

    /// Its kind.
    public let kind: Kind
    /// What identifies it across snapshots (a mount ID and point, a pid and start time, a path).
    public let key: String
    /// A readable line for reports; not part of its identity.
    public let detail: String

    /// An item of `kind` identified by `key`.
    public init(_ kind: Kind, key: String, detail: String? = nil) {
        self.kind = kind
        self.key = key
        self.detail = detail ?? key
    }

    public static func == (a: LeakItem, b: LeakItem) -> Bool { a.kind == b.kind && a.key == b.key }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(key)
    }
    public var description: String { "\(kind.rawValue): \(detail)" }
}

/// The state of everything a `LeakScope` covers at one moment.
public struct LeakSnapshot: Sendable {
    /// What was looked at.
    public let scope: LeakScope
    /// What was there.
    public let items: Set<LeakItem>
}

/// Snapshots and comparisons of the resources tests must clean up.
///
///     let before = LeakCheck.snapshot()
///     ... run the test ...
///     LeakCheck.assertClean(since: before)
public enum LeakCheck {
    /// What `scope` covers now.
    public static func snapshot(_ scope: LeakScope = .standard) -> LeakSnapshot {
        LeakSnapshot(scope: scope, items: LeakSources.collect(scope))
    }

    /// What exists now that did not at `snapshot`, sorted by kind then key. Processes die and
    /// lazy unmounts finish asynchronously, so while something is left this looks again every
    /// 50 ms for up to `settle` seconds; a clean system returns at once.
    public static func leftovers(since snapshot: LeakSnapshot, settle: Double = 2) -> [LeakItem] {
        let deadline = monotonicSeconds() + settle
        while true {
            let left = LeakSources.collect(snapshot.scope).subtracting(snapshot.items)
            if left.isEmpty || monotonicSeconds() >= deadline {
                let order = LeakItem.Kind.allCases
                return left.sorted {
                    let (a, b) = (order.firstIndex(of: $0.kind) ?? 0, order.firstIndex(of: $1.kind) ?? 0)
                    return a != b ? a < b : $0.key < $1.key
                }
            }
            usleep(50_000)
        }
    }

    /// A message naming every leftover, one per line; empty when there are none.
    public static func report(_ leftovers: [LeakItem]) -> String {
        guard !leftovers.isEmpty else { return "" }
        let noun = leftovers.count == 1 ? "leftover" : "leftovers"
        return "leak check: \(leftovers.count) \(noun)\n"
            + leftovers.map { "  " + $0.description }.joined(separator: "\n")
    }

    /// Fails the current test, naming every leftover, if anything `since` covers was created and
    /// not cleaned up.
    public static func assertClean(
        since snapshot: LeakSnapshot, settle: Double = 2, file: StaticString = #filePath, line: UInt = #line
    ) {
        let left = leftovers(since: snapshot, settle: settle)
        if !left.isEmpty { XCTFail(report(left), file: file, line: line) }
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

extension LeakCheck {
    /// `LeakCheck.Snapshot` reads well at call sites: `let before: LeakCheck.Snapshot = LeakCheck.snapshot()`.
    public typealias Snapshot = LeakSnapshot
}
