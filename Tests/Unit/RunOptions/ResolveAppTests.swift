// resolveApp: exec and argument combinations (rkt: --exec replaces the exec, `--` arguments are
// appended), user/group/cwd overrides, isolator replacement, images without an app section;
// resolveMounts: per-app mounts before global ones.
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffRunOptions

final class RunOptionsResolveAppTests: XCTestCase {
    private let image = App(exec: ["/bin/server", "--port", "80"], user: "www", group: "www")

    private func resolve(_ arguments: [String], image: App? = nil, name: String = "example.com/server") throws -> App {
        let request = try parseRun(arguments)
        return try resolveApp(image: image, imageName: name, options: request.apps[0], request: request, parentEnvironment: [:])
    }

    func testExecAndArgumentCombinations() throws {
        XCTAssertEqual(try resolve(["img"], image: image).exec, ["/bin/server", "--port", "80"])
        XCTAssertEqual(try resolve(["img", "--exec=/bin/sh"], image: image).exec, ["/bin/sh"])
        XCTAssertEqual(try resolve(["img", "--", "-v", "--debug"], image: image).exec, ["/bin/server", "--port", "80", "-v", "--debug"])
        XCTAssertEqual(try resolve(["img", "--exec", "/bin/sh", "--", "-c", "echo hi"], image: image).exec, ["/bin/sh", "-c", "echo hi"])
        XCTAssertEqual(try resolve(["img", "--"], image: image).exec, image.exec)
        XCTAssertEqual(try resolve(["img", "--exec=/bin/true", "--"], image: image).exec, ["/bin/true"])
    }

    func testImageWithoutExecOrAppSection() throws {
        let noExec = App(exec: [], user: "0", group: "0")
        XCTAssertEqual(try resolve(["img", "--", "/bin/echo", "x"], image: noExec).exec, ["/bin/echo", "x"])
        assertRunOptionsFailure("image \"example.com/server\" has no exec: give --exec") { try self.resolve(["img"], image: noExec) }
        assertRunOptionsFailure("image \"example.com/server\" has no app section: give --exec") { try self.resolve(["img", "--", "x"], image: nil) }
        let minimal = try resolve(["img", "--exec=/bin/date"], image: nil)
        XCTAssertEqual(minimal.exec, ["/bin/date"])
        XCTAssertEqual([minimal.user, minimal.group], ["0", "0"])
    }

    func testOverrides() throws {
        var base = image
        base.supplementaryGIDs = [5]
        base.workingDirectory = "/srv"
        base.userLabels = ["from": "image"]
        base.mountPoints = [MountPoint(name: try ACName(validating: "data"), path: "/data")]
        let app = try resolve(
            ["img", "--user=1000", "--group=/etc/shadow", "--supplementary-gids=7,8", "--working-dir=/tmp", "--user-label=tier=web"], image: base)
        XCTAssertEqual(app.user, "1000")
        XCTAssertEqual(app.group, "/etc/shadow")
        XCTAssertEqual(app.supplementaryGIDs, [7, 8])
        XCTAssertEqual(app.workingDirectory, "/tmp")
        XCTAssertEqual(app.userLabels, ["tier": "web"], "given labels replace the image's (rkt)")
        XCTAssertEqual(app.mountPoints, base.mountPoints)
        let untouched = try resolve(["img"], image: base)
        XCTAssertEqual(untouched, base)
    }

    func testIsolatorsReplaceTheImagesSameNamedOnes() throws {
        var base = image
        base.isolators = [
            Isolator(name: try ACIdentifier(validating: "resource/memory"), value: .object([("limit", .string("1G"))])),
            Isolator(name: try ACIdentifier(validating: "os/linux/capabilities-retain-set"), value: .object([("set", .array([.string("CAP_KILL")]))])),
            Isolator(name: try ACIdentifier(validating: "os/linux/seccomp-retain-set"), value: .object([("set", .array([.string("read")]))])),
            Isolator(name: try ACIdentifier(validating: "os/linux/no-new-privileges"), value: .bool(true)),
        ]
        let app = try resolve(["img", "--memory=256M", "--caps-remove=CAP_MKNOD", "--seccomp=mode=remove,reboot"], image: base)
        XCTAssertEqual(app.isolators.map(\.name.value), [
            "os/linux/no-new-privileges", "resource/memory", "os/linux/capabilities-remove-set", "os/linux/seccomp-remove-set",
        ])
        XCTAssertEqual(app.isolators[1].value["limit"], .string("256000000"))
        // The result is a valid app section (no duplicate or conflicting isolators).
        let manifest = PodManifest(apps: [RuntimeApp(
            name: try ACName(validating: "server"), image: RuntimeImage(id: try ImageID(validating: "sha512-" + String(repeating: "0", count: 128))), app: app)])
        try manifest.validate()
        XCTAssertEqual(try resolve(["img"], image: base).isolators, base.isolators)
    }

    func testConflictingCapabilityOptionsAreRefused() throws {
        var options = AppOptions(image: "img")
        options.exec = "/x"
        options.isolators.capabilitiesRetain = ["CAP_KILL"]
        options.isolators.capabilitiesRemove = ["CAP_MKNOD"]
        assertRunOptionsFailure("image \"img\": --caps-retain and --caps-remove both given (one or the other)") {
            try resolveApp(image: nil, imageName: "img", options: options, request: PodRequest(), parentEnvironment: [:])
        }
    }

    func testMountsPerAppBeforeGlobal() throws {
        let request = try parseRun([
            "--volume=a,kind=empty", "--volume=b,kind=empty", "--mount=volume=a,target=/shared", "--mount=volume=a,target=/global",
            "img", "--mount=volume=b,target=/shared", "--mount=volume=b,target=/own",
        ])
        let mounts = try resolveMounts(options: request.apps[0], request: request)
        XCTAssertEqual(mounts.map(\.path), ["/shared", "/own", "/global"])
        XCTAssertEqual(mounts.map(\.volume.value), ["b", "b", "a"])
        XCTAssertEqual(try resolveVolumes(request: request).map(\.name.value), ["a", "b"])
    }
}
