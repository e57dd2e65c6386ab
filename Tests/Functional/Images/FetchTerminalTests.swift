// skiff fetch as a person sees it on a terminal: the progress bar, the messages, the exit status.
import Expect
import ExpectTesting
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class FetchTerminalTests: XCTestCase {
    var world: SkiffHarness!
    var server: TestHTTPServer!
    nonisolated(unsafe) static var keyring: TestKeyring!

    override class func setUp() { keyring = try? TestKeyring(name: "Terminal", email: "tty@example.test") }
    override class func tearDown() { keyring = nil }

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SkiffHarness.binary), "no skiff binary: build first")
        XCTAssertNotNil(Self.keyring)
        world = try SkiffHarness()
        server = try TestHTTPServer()
    }

    override func tearDown() {
        server?.stop()
        server = nil
        world = nil
    }

    func testSignedHTTPFetchShowsProgressVerificationAndTheID() throws {
        let path = try ACIBuilder.write(
            world.scratch + "/app.aci", manifest: ACIBuilder.manifest(name: "example.test/app"),
            entries: [.file("big", String(repeating: "p", count: 3_000_000))], compression: "none")
        try Self.keyring.sign(path)
        server.serveFile("/app.aci", try FileSystem.read(path))
        server.serveFile("/app.aci.asc", try FileSystem.read(path + ".asc"))
        try world.trust(Self.keyring, prefix: "example.test")
        let child = try world.spawn(["--insecure-options=http", "fetch", "--full", server.baseURL + "/app.aci"])
        try expectOrFail(child, "Downloading app.aci")
        try expectOrFail(child, "image: signature verified:\r\n  Terminal <tty@example.test>\r\n")
        let id = try expectOrFail(child, try .regex(#"(sha512-[0-9a-f]{128})\r\n"#))
        XCTAssertEqual(id.group(1), try ACIBuilder.imageID(of: path))
        try waitOrFail(child, status: .exited(0))

        // Without a terminal, no progress bar.
        let piped = try world.run("--insecure-options=http", "fetch", "--pull-policy=update", server.baseURL + "/app.aci")
        XCTAssertFalse(piped.stderrText.contains("Downloading"), piped.stderrText)
    }

    func testRefusalOnATerminalIsOneLineAndStatus254() throws {
        let path = try ACIBuilder.write(world.scratch + "/unsigned.aci", manifest: ACIBuilder.manifest(name: "example.test/app"),
                                        entries: [.file("a", "b")])
        let child = try world.spawn(["fetch", path])
        let all = try expectOrFail(child, .eof)
        XCTAssertTrue(all.beforeText.hasPrefix("skiff: \(path): no signature"), all.beforeText)
        XCTAssertEqual(all.beforeText.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count, 1)
        try waitOrFail(child, status: .exited(254))
    }
}
