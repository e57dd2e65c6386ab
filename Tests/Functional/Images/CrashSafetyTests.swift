// SIGKILL at random points of a fetch: never a partial image, verify clean, the next fetch works.
import Foundation
import SkiffSystem
import SkiffTestSupport
import XCTest

final class CrashSafetyTests: XCTestCase {
    func testTwentyKillsAtRandomPointsOfAFetch() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: SkiffHarness.binary), "no skiff binary: build first")
        let world = try SkiffHarness()
        // Incompressible data so the fetch takes a measurable while (decompress, hash, write).
        let data = try Subprocess.run(["sh", "-c", "head -c 4500000 /dev/urandom | base64 -w0"]).stdoutText
        let path = try ACIBuilder.write(
            world.scratch + "/victim.aci", manifest: ACIBuilder.manifest(name: "example.com/victim"),
            entries: [.file("big", data), .file("small", "s")], compression: "gzip")
        let id = try ACIBuilder.imageID(of: path)
        let arguments = ["--insecure-options=image", "fetch", "--full", "--no-progress", path]

        // How long an undisturbed fetch takes, to spread the kills over it.
        let start = DispatchTime.now().uptimeNanoseconds
        XCTAssertEqual(try world.run(arguments).status, 0)
        let duration = DispatchTime.now().uptimeNanoseconds - start
        XCTAssertEqual(try world.run("image", "rm", id).status, 0)

        let null = try FileDescriptor.open("/dev/null", O_WRONLY)
        for round in 0..<20 {
            let child = try Subprocess.spawn(world.argv(arguments), stdout: null.raw, stderr: null.raw)
            usleep(UInt32(UInt64.random(in: 0...duration) / 1000))
            kill(child.pid, SIGKILL)
            let status = try child.wait()
            // Whatever is listed must be complete and intact.
            let listed = try world.run("image", "list", "--no-legend", "--full", "--fields=id").stdoutText
                .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertTrue(listed.isEmpty || listed == [id], "round \(round) (status \(status)): \(listed)")
            let verify = try world.run("image", "verify")
            XCTAssertEqual(verify.status, 0, "round \(round): \(verify.stdoutText)\(verify.stderrText)")
            if !listed.isEmpty { XCTAssertEqual(try world.run("image", "rm", id).status, 0) }
        }
        let final = try world.run(arguments)
        XCTAssertEqual(final.status, 0, final.stderrText)
        XCTAssertEqual(final.stdoutText, id + "\n")
        let gc = try world.run("image", "gc")
        XCTAssertEqual(gc.status, 0, gc.stderrText)
        XCTAssertEqual(try FileSystem.list(world.dataDirectory + "/tmp"), [], "gc removed the debris of the kills")
        XCTAssertEqual(try world.run("image", "verify").status, 0)
    }
}
