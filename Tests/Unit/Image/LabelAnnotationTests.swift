// Checklist B.15 (label names), B.16 (os/arch whitelist) and B.23 (annotations).
import SkiffSystem
import XCTest

@testable import SkiffImage

final class ImageModelLabelTests: XCTestCase {
    private func labels(_ pairs: [(String, String)]) -> String {
        let items = pairs.map { #"{"name": "\#($0.0)", "value": "\#($0.1)"}"# }
        return ManifestFixture.manifest(#""labels": [\#(items.joined(separator: ", "))]"#)
    }

    /// B.15: names are AC Identifiers, unique, never "name"; values are required strings.
    func testB15_LabelNames() throws {
        let manifest = try ManifestFixture.parse(labels([("version", "1.0.0"), ("channel", "alpha"), ("example.com/x", "")]))
        XCTAssertEqual(manifest.version, "1.0.0")
        XCTAssertEqual(manifest.label("channel"), "alpha")
        XCTAssertEqual(manifest.label("example.com/x"), "")
        XCTAssertNil(manifest.label("os"))
        XCTAssertEqual(manifest.labelDictionary, ["version": "1.0.0", "channel": "alpha", "example.com/x": ""])
        assertImageManifestError(labels([("version", "1"), ("Name", "x")]), #"labels[1].name "Name": not an AC identifier"#)
        assertImageManifestError(labels([("name", "x")]), #"labels[0].name "name": reserved for the image name"#)
        assertImageManifestError(labels([("os", "linux"), ("version", "1"), ("os", "linux")]), #"labels[2].name "os": duplicate label"#)
        assertImageManifestError(ManifestFixture.manifest(#""labels": [{"name": "version"}]"#), "labels[0].value: required")
        assertImageManifestError(ManifestFixture.manifest(#""labels": [{"value": "1"}]"#), "labels[0].name: required")
        assertImageManifestError(ManifestFixture.manifest(#""labels": ["version=1"]"#), "labels[0]: expected an object, got a string")
    }

    /// B.16: a present os must be known and the arch valid for it; arch alone is not checked.
    func testB16_OSArchWhitelist() throws {
        for arch in ["amd64", "i386", "aarch64", "aarch64_be", "armv6l", "armv7l", "armv7b", "ppc64", "ppc64le", "s390x"] {
            XCTAssertNoThrow(try ManifestFixture.parse(labels([("os", "linux"), ("arch", arch)])), arch)
        }
        XCTAssertNoThrow(try ManifestFixture.parse(labels([("os", "freebsd"), ("arch", "arm")])))
        XCTAssertNoThrow(try ManifestFixture.parse(labels([("os", "darwin"), ("arch", "x86_64")])))
        XCTAssertNoThrow(try ManifestFixture.parse(labels([("os", "linux")])))
        XCTAssertNoThrow(try ManifestFixture.parse(labels([("arch", "anything")])))
        assertImageManifestError(labels([("os", "plan9")]), #"labels[0].value "plan9": unknown os (known: darwin, freebsd, linux)"#)
        assertImageManifestError(
            labels([("arch", "x86_64"), ("os", "linux")]),
            #"labels[0].value "x86_64": unknown arch for os "linux" (known: amd64, i386, aarch64, aarch64_be, armv6l, armv7l, armv7b, ppc64, ppc64le, s390x)"#)
    }

    func testPlatformValidateOSArch() throws {
        XCTAssertNoThrow(try Platform.validateOSArch(os: "linux", arch: "amd64"))
        XCTAssertNoThrow(try Platform.validateOSArch(os: nil, arch: "sparc"))
        XCTAssertNoThrow(try Platform.validateOSArch(os: nil, arch: nil))
        assertImageModelError(.invalid, #"os "windows": unknown os (known: darwin, freebsd, linux)"#) {
            try Platform.validateOSArch(os: "windows", arch: "amd64")
        }
        assertImageModelError(.invalid, #"arch "arm": unknown arch for os "darwin" (known: x86_64, i386)"#) {
            try Platform.validateOSArch(os: "darwin", arch: "arm")
        }
    }

    /// The host's labels are a valid pair, derived from uname.
    func testHostLabels() throws {
        let host = Platform.hostLabels
        XCTAssertEqual(host["os"], "linux")
        XCTAssertEqual(host["arch"], Platform.appcArch(machine: Platform.machine()))
        XCTAssertNoThrow(try Platform.validateOSArch(os: host["os"], arch: host["arch"]))
        XCTAssertEqual(Platform.appcArch(machine: "x86_64"), "amd64")
        XCTAssertEqual(Platform.appcArch(machine: "i686"), "i386")
        XCTAssertEqual(Platform.appcArch(machine: "aarch64"), "aarch64")
        XCTAssertEqual(Platform.appcArch(machine: "ppc64le"), "ppc64le")
    }
}

final class ImageModelAnnotationTests: XCTestCase {
    private func annotations(_ pairs: [(String, String)]) -> String {
        let items = pairs.map { #"{"name": "\#($0.0)", "value": "\#($0.1)"}"# }
        return ManifestFixture.manifest(#""annotations": [\#(items.joined(separator: ", "))]"#)
    }

    /// B.23: names AC Identifiers and unique; created RFC 3339; homepage/documentation http(s).
    func testB23_AnnotationRules() throws {
        let manifest = try ManifestFixture.parse(annotations([
            ("authors", "Carly <carly@example.com>"), ("created", "2014-10-27T19:32:27.67021798Z"),
            ("homepage", "https://example.com"), ("documentation", "http://example.com/docs?x=1"),
        ]))
        XCTAssertEqual(manifest.annotation("authors"), "Carly <carly@example.com>")
        XCTAssertEqual(try XCTUnwrap(manifest.created).timeIntervalSince1970, 1_414_438_347.670_217_98, accuracy: 1e-6)
        assertImageManifestError(annotations([("Created", "x")]), #"annotations[0].name "Created": not an AC identifier"#)
        assertImageManifestError(annotations([("authors", "a"), ("authors", "b")]), #"annotations[1].name "authors": duplicate annotation"#)
        assertImageManifestError(annotations([("created", "yesterday")]), #"annotations[0].value "yesterday": created must be an RFC 3339 timestamp"#)
        assertImageManifestError(annotations([("created", "2015-05-18 13:49:28Z")]), #"annotations[0].value "2015-05-18 13:49:28Z": created must be an RFC 3339 timestamp"#)
        assertImageManifestError(annotations([("homepage", "ftp://example.com")]), #"annotations[0].value "ftp://example.com": homepage must be an http or https URL"#)
        assertImageManifestError(annotations([("documentation", "example.com/docs")]), #"annotations[0].value "example.com/docs": documentation must be an http or https URL"#)
        assertImageManifestError(annotations([("homepage", "https://")]), #"annotations[0].value "https://": homepage must be an http or https URL"#)
    }

    func testRFC3339() throws {
        XCTAssertEqual(RFC3339.parse("1970-01-01T00:00:00Z")?.timeIntervalSince1970, 0)
        XCTAssertEqual(RFC3339.parse("2015-05-18T13:49:28.351729952-04:00")?.timeIntervalSince1970 ?? 0, 1_431_971_368.351_729_952, accuracy: 1e-6)
        XCTAssertEqual(RFC3339.parse("2000-02-29t12:00:00+01:30")?.timeIntervalSince1970, 951_825_600 - 5400)
        let bad = [
            "2015-05-18", "2015-13-01T00:00:00Z", "2015-02-29T00:00:00Z", "2015-05-18T24:00:00Z", "2015-05-18T13:49:28",
            "2015-05-18T13:49:28.Z", "2015-05-18T13:49:28+0400",
        ]
        for bad in bad {
            XCTAssertNil(RFC3339.parse(bad), bad)
        }
    }

    /// The spec's own example writes supports-systemd-notify as a JSON boolean.
    func testSystemdNotifyBooleanValue() throws {
        let json = ManifestFixture.manifest(#""annotations": [{"name": "appc.io/executor/supports-systemd-notify", "value": false}]"#)
        let manifest = try ManifestFixture.parse(json)
        XCTAssertEqual(manifest.annotation("appc.io/executor/supports-systemd-notify"), "false")
        XCTAssertEqual(try ImageManifest.parse(manifest.encoded(pretty: false)), manifest)
        assertImageManifestError(
            ManifestFixture.manifest(#""annotations": [{"name": "authors", "value": false}]"#),
            "annotations[0].value: expected a string, got a boolean")
    }
}
