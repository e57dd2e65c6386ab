// Checklist B.25 (isolator values), B.26 (per-app conflicts) and B.27 (quantities).
import SkiffSystem
import XCTest

@testable import SkiffImage

final class ImageModelIsolatorTests: XCTestCase {
    private func isolator(_ name: String, _ value: String) throws -> Isolator {
        let manifest = try ManifestFixture.parse(ManifestFixture.isolatorManifest(name, value))
        return try XCTUnwrap(manifest.app?.isolators.first)
    }

    /// B.25: memory and cpu take request/limit quantities (at least one; request defaults to limit).
    func testB25_ResourceIsolators() throws {
        let memory = try isolator("resource/memory", #"{"request": "1G", "limit": "2Gi"}"#)
        XCTAssertEqual(memory.value, .object([("request", .string("1G")), ("limit", .string("2Gi"))]))
        XCTAssertEqual(
            try memory.interpreted(),
            .memory(ResourceAmounts(request: try Quantity(parsing: "1000000000"), limit: try Quantity(parsing: "2147483648"))))
        guard case .cpu(let cpu) = try isolator("resource/cpu", #"{"limit": "500m"}"#).interpreted() else { return XCTFail("not cpu") }
        XCTAssertNil(cpu.request)
        XCTAssertEqual(cpu.effectiveRequest?.milliValue, 500)
        XCTAssertEqual(try isolator("resource/memory", #"{"limit": 1024}"#).interpreted(), .memory(ResourceAmounts(request: nil, limit: Quantity(milliValue: 1_024_000))))
        assertImageManifestError(
            ManifestFixture.isolatorManifest("resource/memory", #"{"limit": "12XB"}"#),
            #"app.isolators[0].value.limit "12XB": unknown suffix "XB" (known: m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei)"#)
        assertImageManifestError(ManifestFixture.isolatorManifest("resource/cpu", "{}"), "app.isolators[0].value: needs a request or a limit")
        assertImageManifestError(ManifestFixture.isolatorManifest("resource/cpu", #""1""#), "app.isolators[0].value: expected an object, got a string")
        assertImageManifestError(
            ManifestFixture.isolatorManifest("resource/memory", #"{"default": true, "limit": "1G"}"#),
            "app.isolators[0].value.default: must be false for this resource")
        assertImageManifestError(
            ManifestFixture.isolatorManifest("resource/memory", #"{"limit": "-1G"}"#), #"app.isolators[0].value.limit "-1G": must not be negative"#)
        assertImageManifestError(ManifestFixture.appManifest(#""isolators": [{"name": "resource/memory"}]"#), "app.isolators[0].value: required")
        assertImageManifestError(
            ManifestFixture.appManifest(#""isolators": [{"name": "Resource/Memory", "value": {}}]"#),
            #"app.isolators[0].name "Resource/Memory": not an AC identifier"#)
    }

    func testDeviceResourceIsolators() throws {
        XCTAssertEqual(try isolator("resource/block-bandwidth", #"{"default": true, "limit": "2M"}"#).interpreted(), .blockBandwidth(limit: Quantity(milliValue: 2_000_000_000)))
        assertImageManifestError(
            ManifestFixture.isolatorManifest("resource/network-bandwidth", #"{"limit": "1G"}"#), "app.isolators[0].value.default: must be true for this resource")
        assertImageManifestError(
            ManifestFixture.isolatorManifest("resource/block-iops", #"{"default": true, "request": "1", "limit": "1000"}"#),
            "app.isolators[0].value.request: not supported by this resource")
    }

    /// B.25: capability sets are non-empty lists of names Linux knows.
    func testB25_CapabilitySets() throws {
        XCTAssertEqual(
            try isolator("os/linux/capabilities-retain-set", #"{"set": ["CAP_NET_BIND_SERVICE", "CAP_CHECKPOINT_RESTORE"]}"#).interpreted(),
            .capabilitiesRetain(["CAP_NET_BIND_SERVICE", "CAP_CHECKPOINT_RESTORE"]))
        XCTAssertEqual(LinuxCapability.names.count, 41)
        XCTAssertEqual(LinuxCapability.number("CAP_SYS_ADMIN"), 21)
        XCTAssertEqual(LinuxCapability.appcDefaultSet.count, 14)
        assertImageManifestError(
            ManifestFixture.isolatorManifest("os/linux/capabilities-remove-set", #"{"set": ["CAP_CHOWN", "CAP_FLY"]}"#),
            #"app.isolators[0].value.set[1] "CAP_FLY": unknown capability"#)
        assertImageManifestError(
            ManifestFixture.isolatorManifest("os/linux/capabilities-remove-set", #"{"set": ["chown"]}"#),
            #"app.isolators[0].value.set[0] "chown": unknown capability"#)
        assertImageManifestError(
            ManifestFixture.isolatorManifest("os/linux/capabilities-retain-set", #"{"set": []}"#), "app.isolators[0].value.set: must not be empty")
        assertImageManifestError(ManifestFixture.isolatorManifest("os/linux/capabilities-retain-set", "{}"), "app.isolators[0].value.set: required")
    }

    /// B.25 and I.103: seccomp sets are non-empty; errno, when given, a known name.
    func testB25_SeccompSets() throws {
        XCTAssertEqual(
            try isolator("os/linux/seccomp-remove-set", #"{"set": ["reboot", "@appc.io/empty"], "errno": "ENOTSUP"}"#).interpreted(),
            .seccompRemove(set: ["reboot", "@appc.io/empty"], errno: "ENOTSUP"))
        XCTAssertEqual(try isolator("os/linux/seccomp-retain-set", #"{"set": ["@appc.io/all"]}"#).interpreted(), .seccompRetain(set: ["@appc.io/all"], errno: nil))
        for name in ["EPERM", "EACCES", "EWOULDBLOCK", "EDEADLOCK", "ENOSYS", "EHWPOISON"] { XCTAssertNotNil(LinuxErrno.number(name), name) }
        XCTAssertEqual(LinuxErrno.number("EPERM"), 1)
        assertImageManifestError(
            ManifestFixture.isolatorManifest("os/linux/seccomp-retain-set", #"{"set": ["read"], "errno": "EFOO"}"#),
            #"app.isolators[0].value.errno "EFOO": unknown errno name"#)
        assertImageManifestError(ManifestFixture.isolatorManifest("os/linux/seccomp-remove-set", #"{"set": []}"#), "app.isolators[0].value.set: must not be empty")
        assertImageManifestError(ManifestFixture.isolatorManifest("os/linux/seccomp-remove-set", #"{"set": [""]}"#), "app.isolators[0].value.set[0]: must not be empty")
    }

    func testB25_ScalarLinuxIsolators() throws {
        XCTAssertEqual(try isolator("os/linux/no-new-privileges", "true").interpreted(), .noNewPrivileges(true))
        XCTAssertEqual(try isolator("os/linux/oom-score-adj", "-1000").interpreted(), .oomScoreAdj(-1000))
        XCTAssertEqual(try isolator("os/linux/cpu-shares", "262144").interpreted(), .cpuShares(262_144))
        assertImageManifestError(ManifestFixture.isolatorManifest("os/linux/no-new-privileges", #""yes""#), "app.isolators[0].value: expected a boolean, got a string")
        assertImageManifestError(ManifestFixture.isolatorManifest("os/linux/oom-score-adj", "1001"), "app.isolators[0].value 1001: must be -1000...1000")
        assertImageManifestError(ManifestFixture.isolatorManifest("os/linux/cpu-shares", "1"), "app.isolators[0].value 1: must be 2...262144")
    }

    /// Unknown isolators are kept with their raw value, unchecked.
    func testUnknownIsolatorsKeepTheirValue() throws {
        let value = #"{"z": [1, {"b": null, "a": "x"}], "a": true}"#
        let unknown = try isolator("example.com/custom", value)
        XCTAssertEqual(try unknown.interpreted(), .other)
        XCTAssertEqual(unknown.value.objectMembers?.map(\.0), ["z", "a"], "member order kept")
        XCTAssertEqual(unknown.value.description, #"{"z":[1,{"b":null,"a":"x"}],"a":true}"#)
        XCTAssertEqual(try isolator("os/linux/selinux-context", #"{"user": "u"}"#).interpreted(), .other)
    }

    /// B.26: not both capability sets, not both seccomp sets, each known isolator once per app.
    func testB26_PerAppConflicts() throws {
        func two(_ first: String, _ firstValue: String, _ second: String, _ secondValue: String) -> String {
            ManifestFixture.appManifest(#""isolators": [{"name": "\#(first)", "value": \#(firstValue)}, {"name": "\#(second)", "value": \#(secondValue)}]"#)
        }
        let caps = #"{"set": ["CAP_CHOWN"]}"#
        let calls = #"{"set": ["reboot"]}"#
        assertImageManifestError(
            two("os/linux/capabilities-retain-set", caps, "os/linux/capabilities-remove-set", caps),
            #"app.isolators[1].name "os/linux/capabilities-remove-set": conflicts with "os/linux/capabilities-retain-set" (app.isolators[0])"#)
        assertImageManifestError(
            two("os/linux/seccomp-remove-set", calls, "os/linux/seccomp-retain-set", calls),
            #"app.isolators[1].name "os/linux/seccomp-retain-set": conflicts with "os/linux/seccomp-remove-set" (app.isolators[0])"#)
        assertImageManifestError(
            two("os/linux/capabilities-retain-set", caps, "os/linux/capabilities-retain-set", caps),
            #"app.isolators[1].name "os/linux/capabilities-retain-set": given twice (also app.isolators[0])"#)
        assertImageManifestError(
            two("os/linux/seccomp-remove-set", calls, "os/linux/seccomp-remove-set", calls),
            #"app.isolators[1].name "os/linux/seccomp-remove-set": given twice (also app.isolators[0])"#)
        // Capabilities and seccomp may be combined; unknown isolators may repeat.
        XCTAssertNoThrow(try ManifestFixture.parse(two("os/linux/capabilities-retain-set", caps, "os/linux/seccomp-remove-set", calls)))
        XCTAssertNoThrow(try ManifestFixture.parse(two("example.com/x", "1", "example.com/x", "2")))
    }
}

final class ImageModelQuantityTests: XCTestCase {
    /// B.27: "128974848", "125952Ki" and "123Mi" are the same amount; "250m" cpu is a quarter core.
    func testB27_EqualSpellings() throws {
        let plain = try Quantity(parsing: "128974848")
        XCTAssertEqual(plain, try Quantity(parsing: "125952Ki"))
        XCTAssertEqual(plain, try Quantity(parsing: "123Mi"))
        XCTAssertEqual(plain.value, 128_974_848)
        let quarter = try Quantity(parsing: "250m")
        XCTAssertEqual(quarter.milliValue, 250)
        XCTAssertEqual(quarter.value, 1, "rounded up")
        XCTAssertEqual(quarter, try Quantity(parsing: "0.25"))
        XCTAssertEqual(quarter.description, "250m")
    }

    func testSuffixesAndDecimals() throws {
        XCTAssertEqual(try Quantity(parsing: "1G").value, 1_000_000_000)
        XCTAssertEqual(try Quantity(parsing: "1k").value, 1000)
        XCTAssertEqual(try Quantity(parsing: "1K").value, 1000)
        XCTAssertEqual(try Quantity(parsing: "1.5Gi").value, 1_610_612_736)
        XCTAssertEqual(try Quantity(parsing: "2Pi").value, 2_251_799_813_685_248)
        XCTAssertEqual(try Quantity(parsing: "0.3").milliValue, 300)
        XCTAssertEqual(try Quantity(parsing: "0.0001").milliValue, 1, "thousandths round up")
        XCTAssertEqual(try Quantity(parsing: "1.000000000000000000000000000Pi").value, 1_125_899_906_842_624)
        XCTAssertEqual(try Quantity(parsing: "+5").value, 5)
    }

    func testErrors() {
        assertImageModelError(.invalid, #"quantity "": not a number"#) { _ = try Quantity(parsing: "") }
        assertImageModelError(.invalid, #"quantity "G": not a number"#) { _ = try Quantity(parsing: "G") }
        assertImageModelError(.invalid, #"quantity "-1": must not be negative"#) { _ = try Quantity(parsing: "-1") }
        assertImageModelError(.invalid, #"quantity "1 G": unknown suffix " G" (known: m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei)"#) {
            _ = try Quantity(parsing: "1 G")
        }
        // milliValue is an Int64: about 9.2e15 base units (8 PiB) at most.
        assertImageModelError(.invalid, #"quantity "1Ei": too large"#) { _ = try Quantity(parsing: "1Ei") }
        assertImageModelError(.invalid, #"quantity "1e3": unknown suffix "e3" (known: m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei)"#) {
            _ = try Quantity(parsing: "1e3")
        }
    }
}
