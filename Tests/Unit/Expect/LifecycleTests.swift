// Many sessions: no output lost, no zombie, no descriptor left behind.
import Expect
import XCTest

final class LifecycleTests: XCTestCase {
    func testThousandSpawnPrintExitCyclesLoseNoOutput() throws {
        for i in 0..<1000 {
            let session = try spawn(["printf", "cycle-%d\\n", "\(i)"])
            let all = try session.expect(.eof)
            XCTAssertEqual(all.beforeText, "cycle-\(i)\r\n", "cycle \(i)")
            XCTAssertEqual(try session.wait(), .exited(0), "cycle \(i)")
            if all.beforeText != "cycle-\(i)\r\n" { break }
        }
    }

    func testFiveHundredSpawnsLeaveNoZombieAndNoDescriptor() throws {
        let descriptorsBefore = ProcessProbe.openDescriptorCount()
        let childrenBefore = ProcessProbe.children().count
        for i in 0..<500 {
            let session = try spawn(["sh", "-c", "exit \(i % 3)"])
            switch i % 4 {
            case 0: XCTAssertEqual(try session.wait(), .exited(Int32(i % 3)))
            case 1: _ = try session.expect(.eof)  // EOF only, then dropped: deinit reaps
            case 2: session.close()
            default: break  // dropped unread
            }
        }
        XCTAssertEqual(ProcessProbe.zombieCount(), 0)
        XCTAssertEqual(ProcessProbe.children().count, childrenBefore)
        XCTAssertEqual(ProcessProbe.openDescriptorCount(), descriptorsBefore)
    }

    func testFailedSpawnsLeakNothingEither() throws {
        let descriptorsBefore = ProcessProbe.openDescriptorCount()
        for _ in 0..<100 {
            XCTAssertThrowsError(try spawn(["/nonexistent"]))
        }
        XCTAssertEqual(ProcessProbe.zombieCount(), 0)
        XCTAssertEqual(ProcessProbe.openDescriptorCount(), descriptorsBefore)
    }
}
