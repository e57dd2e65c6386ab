// Network namespaces as files: created with lo up, joined from a helper thread, removed without
// a trace, removable twice.
import SkiffSystem
import SkiffTestSupport
import XCTest
@testable import SkiffNetwork
#if canImport(Glibc)
import Glibc
#endif

final class NamespaceTests: XCTestCase {
    func testCreateShowsOnlyLoopbackUpThenRemoveLeavesNothing() throws {
        try requireRootAndPlugins()
        let scratch = try NetworkScratch()
        defer { scratch.cleanUp() }
        let directory = scratch.runDirectory + "/netns"
        let namespace = try NetworkNamespace.create(in: directory, name: "pod-a")
        XCTAssertTrue(namespace.isMounted)
        XCTAssertEqual(try FileSystem.list(directory), ["pod-a"])

        let links = try namespace.perform { try Subprocess.run(["ip", "-o", "link", "show"]) }
        let lines = links.stdoutText.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, links.stdoutText)
        XCTAssertTrue(lines.first?.contains("lo:") == true && lines.first?.contains(",UP") == true, links.stdoutText)
        // A socket made inside talks over the namespace's own loopback.
        let reply = try namespace.perform { () throws -> String in
            let (listener, port) = try TCP.listen("127.0.0.1")
            let echo = try OneShotEcho(listener: listener)
            defer { echo.wait() }
            return try TCP.exchange("127.0.0.1", port: port, message: "ping", retrySeconds: 0)
        }
        XCTAssertEqual(reply, "echo:ping")
        // The host's namespace is not the pod's: its links are still visible here.
        XCTAssertGreaterThan(try Subprocess.run(["ip", "-o", "link", "show"]).stdoutText.split(separator: "\n").count, 1)

        try namespace.remove()
        XCTAssertFalse(namespace.isMounted)
        XCTAssertEqual(try FileSystem.list(directory), [])
        XCTAssertNoThrow(try namespace.remove(), "removing twice is fine")
        XCTAssertFalse(try String(decoding: FileSystem.read("/proc/self/mountinfo"), as: UTF8.self).contains(namespace.path))
    }

    func testCreateRefusesAnExistingFileAndBadNames() throws {
        try requireRootAndPlugins()
        let scratch = try NetworkScratch()
        defer { scratch.cleanUp() }
        let directory = scratch.runDirectory + "/netns"
        let namespace = try NetworkNamespace.create(in: directory, name: "twice")
        XCTAssertThrowsError(try NetworkNamespace.create(in: directory, name: "twice")) { error in
            XCTAssertTrue("\(error)".contains("exists already"), "\(error)")
        }
        XCTAssertThrowsError(try NetworkNamespace.create(in: directory, name: "../escape"))
        try namespace.remove()
    }

    func testOpenRefusesAFileThatIsNotANamespace() throws {
        let root = try FileSystem.makeTemporaryDirectory(in: FileSystem.temporaryDirectory, prefix: "skiff-netns-test-")
        defer { try? FileSystem.removeTree(root) }
        let path = root + "/plain"
        try FileSystem.writeAtomically(path, [])
        XCTAssertFalse(NetworkNamespace(path: path).isMounted)
        XCTAssertThrowsError(try NetworkNamespace(path: path).open()) { error in
            XCTAssertTrue("\(error)".contains("not a network namespace"), "\(error)")
        }
    }
}
