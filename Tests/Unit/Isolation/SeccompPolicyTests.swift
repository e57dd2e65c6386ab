// SeccompPolicy.resolve and SeccompFilter.build for every isolator form (unprivileged).
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffIsolation

final class SeccompPolicyTests: XCTestCase {
    private let rktDefault = Set(SeccompGroups.members("@rkt/default-whitelist") ?? [])

    func testNoIsolatorMeansRktDefaultWhitelistKilling() throws {
        let policy = try XCTUnwrap(try SeccompPolicy.resolve(isolators: []))
        XCTAssertEqual(policy.mode, .allowList)
        XCTAssertEqual(policy.syscalls, rktDefault)
        XCTAssertNil(policy.errnoName)
        XCTAssertTrue(policy.syscalls.isSuperset(of: ["read", "write", "execve", "clone", "clone3", "rseq", "statx"]))
        XCTAssertTrue(policy.syscalls.isDisjoint(with: SeccompGroups.dockerBlacklist))
    }

    func testRetainSetExpandsGroupsAndAddsTheMinimalWhitelist() throws {
        let retain = try isolator("os/linux/seccomp-retain-set", #"{"set": ["@systemd/network-io", "read"], "errno": "ENOTSUP"}"#)
        let policy = try XCTUnwrap(try SeccompPolicy.resolve(isolators: [retain]))
        XCTAssertEqual(policy.mode, .allowList)
        XCTAssertEqual(policy.syscalls, Set(SeccompGroups.systemdNetworkIO + ["read"] + SeccompGroups.systemdDefault))
        XCTAssertEqual(policy.errnoName, "ENOTSUP")
        XCTAssertEqual(policy.errno, ENOTSUP)
    }

    func testRetainAllMeansNoFilter() throws {
        let retain = try isolator("os/linux/seccomp-retain-set", #"{"set": ["@appc.io/all"]}"#)
        XCTAssertNil(try SeccompPolicy.resolve(isolators: [retain]))
        XCTAssertNil(try SeccompFilter.build(isolators: [retain], disabled: false))
    }

    func testRetainEmptyMeansOnlyTheMinimalWhitelist() throws {
        let retain = try isolator("os/linux/seccomp-retain-set", #"{"set": ["@appc.io/empty"]}"#)
        XCTAssertEqual(try SeccompPolicy.resolve(isolators: [retain])?.syscalls, Set(SeccompGroups.systemdDefault))
    }

    func testRemoveSetForbidsExactlyTheList() throws {
        let remove = try isolator("os/linux/seccomp-remove-set", #"{"set": ["@systemd/clock", "mkdir"], "errno": "EPERM"}"#)
        let policy = try XCTUnwrap(try SeccompPolicy.resolve(isolators: [remove]))
        XCTAssertEqual(policy.mode, .denyList)
        XCTAssertEqual(policy.syscalls, Set(SeccompGroups.systemdClock + ["mkdir"]))
        XCTAssertEqual(policy.errno, EPERM)
    }

    func testRemoveEmptyMeansDefaultMinusTheRest() throws {
        let remove = try isolator("os/linux/seccomp-remove-set", #"{"set": ["@appc.io/empty", "mkdir"]}"#)
        let policy = try XCTUnwrap(try SeccompPolicy.resolve(isolators: [remove]))
        XCTAssertEqual(policy.mode, .allowList)
        XCTAssertEqual(policy.syscalls, rktDefault.subtracting(["mkdir"]))
    }

    func testRemoveAllIsRefused() throws {
        let remove = try isolator("os/linux/seccomp-remove-set", #"{"set": ["@appc.io/all"]}"#)
        XCTAssertThrowsError(try SeccompPolicy.resolve(isolators: [remove]))
    }

    func testUnknownSyscallGroupAndErrnoAreRejected() throws {
        let syscall = try isolator("os/linux/seccomp-remove-set", #"{"set": ["no_such_call"]}"#)
        XCTAssertThrowsError(try SeccompPolicy.resolve(isolators: [syscall])) { XCTAssertTrue("\($0)".contains("no_such_call")) }
        let group = try isolator("os/linux/seccomp-remove-set", #"{"set": ["@rkt/nothing"]}"#)
        XCTAssertThrowsError(try SeccompPolicy.resolve(isolators: [group])) { XCTAssertTrue("\($0)".contains("@rkt/nothing")) }
        let errno = try isolator("os/linux/seccomp-remove-set", #"{"set": ["mkdir"], "errno": "EWHATEVER"}"#)
        XCTAssertThrowsError(try SeccompPolicy.resolve(isolators: [errno]))
    }

    func testTwoSeccompIsolatorsAreRejected() throws {
        let a = try isolator("os/linux/seccomp-remove-set", #"{"set": ["mkdir"]}"#)
        let b = try isolator("os/linux/seccomp-retain-set", #"{"set": ["read"]}"#)
        XCTAssertThrowsError(try SeccompPolicy.resolve(isolators: [a, b]))
    }

    func testDisabledBuildsNoFilter() throws {
        XCTAssertNil(try SeccompFilter.build(isolators: [], disabled: true))
        XCTAssertNotNil(try SeccompFilter.build(isolators: [], disabled: false))
    }

    func testEveryGroupMemberIsAKnownSyscall() {
        for group in SeccompGroups.names.dropFirst(2) {
            for name in SeccompGroups.members(group) ?? [] {
                XCTAssertTrue(SyscallTable.isKnown(name), "\(group): \(name)")
            }
        }
    }

    func testNamesOfOtherArchitecturesAreAcceptedButNotCompiled() throws {
        let remove = try isolator("os/linux/seccomp-remove-set", #"{"set": ["chown32", "mkdir"]}"#)
        let filter = try XCTUnwrap(try SeccompFilter.build(isolators: [remove], disabled: false, architecture: .x86_64))
        XCTAssertNil(filter.action(for: "chown32"))
        XCTAssertEqual(filter.action(for: "mkdir"), SeccompAction.killProcess)
        let arm = try XCTUnwrap(try SeccompFilter.build(isolators: [remove], disabled: false, architecture: .aarch64))
        XCTAssertNil(arm.action(for: "mkdir"), "aarch64 has only mkdirat")
    }
}
