// CapabilityPlan.resolve for every isolator form and flag combination (unprivileged).
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class CapabilityPlanTests: XCTestCase {
    private func caps(_ names: String...) -> Set<LinuxCapabilityName> { Set(names.compactMap(LinuxCapabilityName.init(name:))) }

    func testDefaultIsExactlyRktsFourteen() throws {
        let plan = try CapabilityPlan.resolve(isolators: [], uid: 0, disabled: false)
        XCTAssertEqual(plan.bounding.count, 14)
        XCTAssertEqual(
            plan.bounding,
            caps(
                "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_KILL", "CAP_MKNOD",
                "CAP_NET_RAW", "CAP_NET_BIND_SERVICE", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETFCAP", "CAP_SYS_CHROOT"))
        XCTAssertEqual(plan.bounding.mask, 0xa804_25fb)  // Docker's and runc's default CapBnd
        XCTAssertEqual(plan.effective, plan.bounding)
        XCTAssertEqual(plan.permitted, plan.bounding)
        XCTAssertEqual(plan.inheritable, [])
    }

    func testRetainSetIsExactlyTheList() throws {
        let retain = try isolator("os/linux/capabilities-retain-set", #"{"set": ["CAP_NET_ADMIN", "CAP_KILL"]}"#)
        let plan = try CapabilityPlan.resolve(isolators: [retain], uid: 0, disabled: false)
        XCTAssertEqual(plan.bounding, caps("CAP_NET_ADMIN", "CAP_KILL"))
        XCTAssertEqual(plan.effective, caps("CAP_NET_ADMIN", "CAP_KILL"))
    }

    func testRemoveSetIsDefaultMinusListAndIgnoresCapsOutsideIt() throws {
        let remove = try isolator("os/linux/capabilities-remove-set", #"{"set": ["CAP_MKNOD", "CAP_SYS_ADMIN"]}"#)
        let plan = try CapabilityPlan.resolve(isolators: [remove], uid: 0, disabled: false)
        XCTAssertEqual(plan.bounding, CapabilityPlan.defaultBounding.subtracting(caps("CAP_MKNOD")))
        XCTAssertEqual(plan.bounding.count, 13)
    }

    func testNonRootGetsBoundingButNoEffectiveOrPermitted() throws {
        let plan = try CapabilityPlan.resolve(isolators: [], uid: 1000, disabled: false)
        XCTAssertEqual(plan.bounding, CapabilityPlan.defaultBounding)
        XCTAssertEqual(plan.effective, [])
        XCTAssertEqual(plan.permitted, [])
    }

    func testDisabledGivesAllAndIgnoresIsolators() throws {
        let retain = try isolator("os/linux/capabilities-retain-set", #"{"set": ["CAP_KILL"]}"#)
        let plan = try CapabilityPlan.resolve(isolators: [retain], uid: 0, disabled: true)
        XCTAssertEqual(plan.bounding.count, LinuxCapability.names.count)
        XCTAssertEqual(plan.bounding, CapabilityPlan.all)
        let nonRoot = try CapabilityPlan.resolve(isolators: [], uid: 5, disabled: true)
        XCTAssertEqual(nonRoot.effective, [])
    }

    func testUnknownCapabilityIsRejected() throws {
        let bad = try isolator("os/linux/capabilities-retain-set", #"{"set": ["CAP_FLY"]}"#)
        XCTAssertThrowsError(try CapabilityPlan.resolve(isolators: [bad], uid: 0, disabled: false)) { error in
            XCTAssertTrue("\(error)".contains("CAP_FLY"), "\(error)")
        }
    }

    func testRetainAndRemoveTogetherAreRejected() throws {
        let retain = try isolator("os/linux/capabilities-retain-set", #"{"set": ["CAP_KILL"]}"#)
        let remove = try isolator("os/linux/capabilities-remove-set", #"{"set": ["CAP_KILL"]}"#)
        XCTAssertThrowsError(try CapabilityPlan.resolve(isolators: [retain, remove], uid: 0, disabled: false))
    }

    func testOtherIsolatorsAreIgnored() throws {
        let memory = try isolator("resource/memory", #"{"limit": "1G"}"#)
        let unknown = try isolator("example.com/whatever", #"{"x": 1}"#)
        let plan = try CapabilityPlan.resolve(isolators: [memory, unknown], uid: 0, disabled: false)
        XCTAssertEqual(plan.bounding, CapabilityPlan.defaultBounding)
    }

    func testMaskRoundTrip() {
        let set = caps("CAP_CHOWN", "CAP_CHECKPOINT_RESTORE", "CAP_SYS_ADMIN")
        XCTAssertEqual(set.mask, 1 | (1 << 40) | (1 << 21))
        XCTAssertEqual(Set<LinuxCapabilityName>(mask: set.mask), set)
    }
}
