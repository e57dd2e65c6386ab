// --volume (appc's NAME,kind=...,k=v syntax, defaults and checks) and --mount
// (volume=NAME,target=PATH, which must name a declared volume).
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffRunOptions

final class RunOptionsVolumeMountTests: XCTestCase {
    func testHostVolume() throws {
        let volume = try XCTUnwrap(try parseRun(["--volume", "data,kind=host,source=/srv/data,readOnly=true,recursive=false", "a"]).volumes.first)
        XCTAssertEqual(volume, Volume(name: try ACName(validating: "data"), kind: .host, source: "/srv/data", readOnly: true, recursive: false))
        let plain = try VolumeOption.volume(parsing: "dev,kind=host,source=/dev/sda")
        XCTAssertNil(plain.readOnly)
        XCTAssertNil(plain.recursive)
    }

    func testEmptyVolumeDefaults() throws {
        let scratch = try ACName(validating: "scratch"), s = try ACName(validating: "s")
        XCTAssertEqual(try VolumeOption.volume(parsing: "scratch,kind=empty"), Volume(name: scratch, kind: .empty, mode: "0755", uid: 0, gid: 0))
        XCTAssertEqual(
            try VolumeOption.volume(parsing: "s,kind=empty,mode=0700,uid=1000,gid=100,readOnly=false"),
            Volume(name: s, kind: .empty, readOnly: false, mode: "0700", uid: 1000, gid: 100))
        // The pod manifest accepts what the flag produced.
        let volume = try VolumeOption.volume(parsing: "s,kind=empty,mode=1777")
        try PodManifest(apps: [], volumes: [volume]).validate()
    }

    func testVolumeErrors() {
        func error(_ value: String, _ problem: String, line: UInt = #line) {
            assertRunError(["--volume", value, "a"], "run: --volume \(quote(value)): \(problem)", line: line)
        }
        error("", "needs a volume name first (NAME,kind=host|empty,...)")
        error("kind=host,source=/x", "needs a volume name first, not \"kind=host\"")
        error("Data,kind=empty", "volume name \"Data\" is not an AC name")
        error("d", "needs kind=host or kind=empty")
        error("d,kind=tmpfs", "kind \"tmpfs\" is not host or empty")
        error("d,kind=host", "a host volume needs source=PATH")
        error("d,kind=host,source=srv", "source \"srv\" is not an absolute path")
        error("d,kind=host,source=/s,mode=0700", "mode is for empty volumes, not host ones")
        error("d,kind=empty,source=/s", "an empty volume has no source")
        error("d,kind=empty,mode=0999", "mode \"0999\" is not an octal mode")
        error("d,kind=empty,uid=-1", "uid \"-1\" is not a number in 0...4294967294")
        error("d,kind=empty,gid=x", "gid \"x\" is not a number in 0...4294967294")
        error("d,kind=host,source=/s,readOnly=yes", "readOnly \"yes\" is not true or false")
        error("d,kind=host,source=/s,ro=true", "unknown parameter \"ro\" (known: kind, source, readOnly, recursive, mode, uid, gid)")
        error("d,kind=host,kind=empty", "kind given twice")
        error("d,kind=empty,,uid=0", "\"\" is not KEY=VALUE")
        assertRunError(["--volume=d,kind=empty", "--volume=d,kind=host,source=/x", "a"], "run: --volume \"d,kind=host,source=/x\": volume \"d\" given twice")
    }

    func testMount() throws {
        XCTAssertEqual(try MountOption(parsing: "target=/v,volume=v"), MountOption(volume: "v", target: "/v"))
        XCTAssertEqual(try MountOption(parsing: "volume=v,target=/v").podMount(), Mount(volume: try ACName(validating: "v"), path: "/v"))
    }

    func testMountErrors() {
        func error(_ value: String, _ problem: String, line: UInt = #line) {
            assertRunError(["--volume=v,kind=empty", "a", "--mount", value], "run: --mount \(quote(value)): \(problem)", line: line)
        }
        error("volume=v", "needs target=PATH")
        error("target=/v", "needs volume=NAME")
        error("volume=V,target=/v", "volume \"V\" is not an AC name")
        error("volume=v,target=v", "target \"v\" is not an absolute path")
        error("volume=v,target=/v,readOnly=true", "unknown parameter \"readOnly\" (known: volume, target)")
        error("v", "\"v\" is not KEY=VALUE")
        assertRunOptionsFailure("--mount \"v\": \"v\" is not KEY=VALUE") { try MountOption(parsing: "v") }
    }

    func testMountsNeedTheirVolume() {
        assertRunError(["--mount=volume=logs,target=/l", "a"], "run: --mount \"volume=logs,target=/l\": no --volume named \"logs\"")
        assertRunError(["--volume=v,kind=empty", "a", "--mount=volume=w,target=/w"], "run: --mount \"volume=w,target=/w\": no --volume named \"w\"")
    }
}
