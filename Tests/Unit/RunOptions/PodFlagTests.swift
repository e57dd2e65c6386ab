// Pod-level flags other than networking, volumes and environment: each valid and invalid, the
// stage1 choice, pull policy and its deprecated spellings, --pod-manifest and its conflicts.
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffRunOptions

final class RunOptionsPodFlagTests: RunOptionsTempDirTestCase {
    func testDefaults() throws {
        let request = try parseRun(["a"])
        XCTAssertEqual(request.pullPolicy, "new")
        XCTAssertNil(request.networks)
        XCTAssertNil(request.stage1)
        XCTAssertNil(request.hostname)
        XCTAssertNil(request.ipc)
        XCTAssertFalse(request.interactive || request.inheritEnv || request.noOverlay || request.privateUsers || request.mdsRegister || request.quiet)
    }

    func testBooleanPodFlags() throws {
        let run = try parseRun(["--no-overlay", "--private-users", "--interactive", "--mds-register=true", "a"])
        XCTAssertTrue(run.noOverlay && run.privateUsers && run.interactive && run.mdsRegister)
        let prepare = try parseRun(["--quiet", "--no-overlay=false", "a"], .prepare)
        XCTAssertTrue(prepare.quiet)
        XCTAssertFalse(prepare.noOverlay)
        assertRunError(["--private-users=2", "a"], "run: --private-users takes true or false, not \"2\"")
    }

    func testInteractiveTakesOneImage() {
        assertRunError(["--interactive", "a", "b"], "run: --interactive takes one image, got 2")
    }

    func testHostname() throws {
        XCTAssertEqual(try parseRun(["--hostname=web-1.example.com", "a"]).hostname, "web-1.example.com")
        assertRunError(["--hostname=a_b", "a"], "run: --hostname \"a_b\": not a valid host name")
        assertRunError(["--hostname=-a", "a"], "run: --hostname \"-a\": not a valid host name")
    }

    func testIPC() throws {
        XCTAssertEqual(try parseRun(["--ipc=private", "a"]).ipc, "private")
        XCTAssertEqual(try parseRun(["--ipc", "parent", "a"]).ipc, "parent")
        assertRunError(["--ipc=host", "a"], "run: --ipc \"host\": must be auto, private or parent")
    }

    func testUUIDFileSave() throws {
        XCTAssertEqual(try parseRun(["--uuid-file-save=/run/x.uuid", "a"]).uuidFileSave, "/run/x.uuid")
        XCTAssertEqual(try parseRun(["--uuid-file-save", "u", "a"], .prepare).uuidFileSave, "u")
        assertRunError(["--uuid-file-save=", "a"], "run: --uuid-file-save \"\": must not be empty")
    }

    func testPullPolicy() throws {
        XCTAssertEqual(try parseRun(["--pull-policy=never", "a"]).pullPolicy, "never")
        XCTAssertEqual(try parseRun(["--pull-policy", "update", "a"], .prepare).pullPolicy, "update")
        XCTAssertEqual(try parseRun(["--store-only", "a"]).pullPolicy, "never")
        XCTAssertEqual(try parseRun(["--no-store", "a"]).pullPolicy, "update")
        XCTAssertEqual(try parseRun(["--no-store=false", "a"]).pullPolicy, "new")
        assertRunError(["--pull-policy=always", "a"], "run: --pull-policy \"always\": must be new, update or never")
        assertRunError(["--store-only", "--no-store", "a"], "run: --store-only conflicts with --no-store")
    }

    func testStage1Choice() throws {
        XCTAssertEqual(try parseRun(["--stage1-path=./s1.aci", "a"]).stage1, .path("./s1.aci"))
        XCTAssertEqual(try parseRun(["--stage1-name", "coreos.com/rkt/stage1-fly", "a"]).stage1, .name("coreos.com/rkt/stage1-fly"))
        XCTAssertEqual(try parseRun(["--stage1-hash=sha512-0123", "a"]).stage1, .hash("sha512-0123"))
        XCTAssertEqual(try parseRun(["--stage1-url=https://example.com/s1.aci", "a"]).stage1, .url("https://example.com/s1.aci"))
        XCTAssertEqual(try parseRun(["--stage1-from-dir=stage1-fly.aci", "a"], .prepare).stage1, .fromDir("stage1-fly.aci"))
        XCTAssertEqual(Stage1Choice.fromDir("x").flagName, "stage1-from-dir")
        XCTAssertEqual(Stage1Choice.url("u").location, "u")
    }

    func testStage1Errors() {
        assertRunError(["--stage1-path=a.aci", "--stage1-name=n", "a"], "run: --stage1-name conflicts with --stage1-path (one stage1 flag at most)")
        assertRunError(["--stage1-hash=h", "a", "--stage1-url=file:///x"], "run: --stage1-url conflicts with --stage1-hash (one stage1 flag at most)")
        assertRunError(["--stage1-path=a", "--stage1-path=b", "a"], "run: --stage1-path given twice")
        assertRunError(["--stage1-url=/local/path", "a"], "run: --stage1-url \"/local/path\": not a URL (scheme://...)")
        assertRunError(["--stage1-name=", "a"], "run: --stage1-name \"\": must not be empty")
    }

    private let manifestJSON = #"""
        {"acKind": "PodManifest", "acVersion": "0.8.11",
         "apps": [{"name": "web", "image": {"id": "sha512-\#(String(repeating: "ab", count: 64))"}}]}
        """#

    func testPodManifestIsReadAndValidated() throws {
        let path = try write("pod.json", manifestJSON)
        let request = try parseRun(["--pod-manifest", path, "--net=host", "--no-overlay", "--interactive", "--stage1-name=s"])
        XCTAssertEqual(request.podManifest, path)
        XCTAssertEqual(request.podManifestContents?.apps.map(\.name.value), ["web"])
        XCTAssertTrue(request.apps.isEmpty)
        let prepared = try parseRun(["--pod-manifest=\(path)", "--quiet", "--pull-policy=new"], .prepare)
        XCTAssertEqual(prepared.podManifestContents?.apps.count, 1)
    }

    func testPodManifestReadErrors() throws {
        let missing = directory + "/missing.json"
        assertRunError(["--pod-manifest", missing], "run: --pod-manifest: open \(quote(missing))", code: .system)
        let bad = try write("bad.json", #"{"acKind": "PodManifest", "acVersion": "0.8.11", "apps": [{"name": "Web"}]}"#)
        assertRunError(["--pod-manifest", bad], "run: --pod-manifest \(quote(bad)): pod manifest: apps[0].name \"Web\": not an AC name", code: .invalid)
    }

    func testPodManifestConflicts() throws {
        let path = try write("pod.json", manifestJSON)
        let suffix = " (the manifest says everything about the pod)"
        assertRunError(["--pod-manifest", path, "a.aci"], "run: --pod-manifest conflicts with image \"a.aci\"" + suffix)
        assertRunError(["--volume=v,kind=empty", "--pod-manifest", path], "run: --pod-manifest conflicts with --volume" + suffix)
        assertRunError(["--pod-manifest", path, "--volume=v,kind=empty", "--mount=volume=v,target=/v"], "run: --pod-manifest conflicts with --volume" + suffix)
        assertRunError(["--pod-manifest", path, "--port=http:80"], "run: --pod-manifest conflicts with --port" + suffix)
        assertRunError(["--pod-manifest", path, "--inherit-env"], "run: --pod-manifest conflicts with --inherit-env" + suffix)
        assertRunError(["--pod-manifest", path, "--set-env=A=1"], "run: --pod-manifest conflicts with --set-env" + suffix)
        let envFile = try write("e.env", "A=1\n")
        assertRunError(["--pod-manifest", path, "--set-env-file", envFile], "run: --pod-manifest conflicts with --set-env-file" + suffix)
        assertRunError(["--pod-manifest", path, "--pull-policy=never"], "prepare: --pod-manifest conflicts with --pull-policy" + suffix, kind: .prepare)
        assertRunError(["--pod-manifest", path, "--store-only"], "run: --pod-manifest conflicts with --store-only" + suffix)
        assertRunError(["--pod-manifest", path, "--no-store"], "run: --pod-manifest conflicts with --no-store" + suffix)
        // The first conflict on the command line is the one named.
        assertRunError(["--set-env=A=1", "--inherit-env", "--pod-manifest", path], "run: --pod-manifest conflicts with --set-env" + suffix)
        // Conflicts are found before the manifest is read.
        assertRunError(["--pod-manifest", directory + "/missing", "x"], "run: --pod-manifest conflicts with image \"x\"" + suffix)
    }

    func testPodManifestWithoutConflictsAllowsFalseBooleans() throws {
        let path = try write("pod.json", manifestJSON)
        XCTAssertNotNil(try parseRun(["--pod-manifest", path, "--inherit-env=false", "--store-only=false"]).podManifestContents)
    }

    func testEveryTableFlagHasAHandler() throws {
        // A valid sample for each flag; parsing must reach a handler (no "internal error").
        let path = try write("e.env", "A=1\n")
        let samples: [String: String] = [
            "volume": "v,kind=empty", "port": "http:8080", "set-env": "A=1", "set-env-file": path, "pull-policy": "new",
            "pod-manifest": "", "uuid-file-save": "u", "stage1-path": "s", "stage1-url": "https://s", "stage1-name": "s",
            "stage1-hash": "sha512-1", "stage1-from-dir": "s", "net": "default", "dns": "1.1.1.1", "dns-search": "example.com",
            "dns-opt": "ndots:2", "dns-domain": "example.com", "hosts-entry": "10.0.0.1=db", "hostname": "h", "ipc": "auto",
            "exec": "/x", "name": "n", "user": "0", "group": "0", "supplementary-gids": "1", "working-dir": "/",
            "environment": "A=1", "mount": "volume=v,target=/v", "signature": "s.asc", "annotation": "a=1",
            "user-annotation": "a=1", "user-label": "a=1", "memory": "1G", "cpu": "1", "cpu-shares": "2",
            "caps-retain": "CAP_KILL", "caps-remove": "CAP_KILL", "cap-retain": "CAP_KILL", "cap-remove": "CAP_KILL",
            "seccomp": "mode=retain,read", "oom-score-adj": "0",
        ]
        for definition in FlagTable.all where definition.name != "pod-manifest" {
            let kind: RunCommandKind = definition.commands.contains(.run) ? .run : .prepare
            var arguments = ["--volume=v,kind=empty", "a"]
            if case .bool = definition.value {
                arguments.append("--\(definition.name)")
            } else {
                let sample = try XCTUnwrap(samples[definition.name], "no sample for --\(definition.name)")
                arguments.append("--\(definition.name)=\(sample)")
            }
            if definition.name == "volume" { arguments[0] = "--volume=w,kind=empty" }
            XCTAssertNoThrow(try parseRun(arguments, kind), "--\(definition.name)")
        }
    }
}
