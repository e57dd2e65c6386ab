// `skiff metadata-service` and `run --mds-register`: an app asks the service, at its
// AC_METADATA_URL, for every endpoint of appc's metadata service (section J), with the exact
// content types; signs and verifies with HMAC; a forged signature and an unregistered token are
// refused; gc unregisters the pod.
import Expect
import ExpectTesting
import Foundation
import SkiffNetwork
import SkiffSystem
import SkiffTestSupport
import XCTest

final class MetadataServiceTests: NetworkTestCase {
    /// The app's script: one `NAME.status=`, `NAME.type=`, `NAME.body=` triple per endpoint.
    static let script = #"""
        u="$AC_METADATA_URL/acMetadata/v1"; a="$AC_APP_NAME"; echo "url=$AC_METADATA_URL"
        get() {
            rm -f /tmp/body; wget -S -O /tmp/body "$u/$1" 2>/tmp/headers
            echo "$2.status=$(grep -o 'HTTP/1.[01] [0-9]*' /tmp/headers | head -1 | cut -d' ' -f2)"
            echo "$2.type=$(grep -i '^ *content-type:' /tmp/headers | sed 's/^ *[Cc]ontent-[Tt]ype: *//' | tr -d '\r')"
            echo "$2.body=$(tr '\n' ' ' </tmp/body 2>/dev/null)"
        }
        post() {
            rm -f /tmp/body; wget -S -O /tmp/body --post-data "$2" "$u/pod/hmac/$1" 2>/tmp/headers
            echo "$3.status=$(grep -o 'HTTP/1.[01] [0-9]*' /tmp/headers | head -1 | cut -d' ' -f2)"
            echo "$3.type=$(grep -i '^ *content-type:' /tmp/headers | sed 's/^ *[Cc]ontent-[Tt]ype: *//' | tr -d '\r')"
            echo "$3.body=$(cat /tmp/body 2>/dev/null)"
        }
        get pod/uuid uuid; get pod/manifest manifest; get pod/annotations podannotations
        get apps/$a/image/manifest imagemanifest; get apps/$a/image/id imageid; get apps/$a/annotations appannotations
        get apps/$a/annotations/skiff.test/greeting greeting
        post sign "content=hello%20world" sign
        signature=$(cat /tmp/body | sed 's/+/%2B/g; s/\//%2F/g; s/=/%3D/g'); uuid=$(wget -q -O - "$u/pod/uuid")
        post verify "content=hello%20world&uuid=$uuid&signature=$signature" verify
        post verify "content=forged&uuid=$uuid&signature=$signature" forged
        u="${AC_METADATA_URL%/*}/0123456789abcdef0123456789abcdef/acMetadata/v1"; get pod/uuid unregistered
        """#

    func testEveryEndpointForARegisteredPod() throws {
        let image = try shellImage(Self.script) { $0.annotations["skiff.test/from-image"] = "image-value" }
        try forEachStage1(Stage1Case("metadata service: endpoints, types, HMAC, refusals", notSupported: ["fly": Self.flyHostOnly])) { stage1 in
            let socket = world.scratch + "/mds.sock"
            let output = try SkiffSystem.Pipe()
            let service = try Subprocess.spawn(
                world.argv(["metadata-service", "--listen-port=0", "--socket=\(socket)"]), stdout: output.write.raw,
                environment: world.childEnvironment)
            output.write.close()
            defer {
                kill(service.pid, SIGTERM)
                _ = try? service.wait()
            }
            var announced: [UInt8] = []
            var byte: UInt8 = 0
            while read(output.read.raw, &byte, 1) == 1 && byte != 0x0a { announced.append(byte) }
            let line = String(decoding: announced, as: UTF8.self)
            let port = try XCTUnwrap(line.range(of: #"port \d+"#, options: .regularExpression).map { String(line[$0].dropFirst(5)) }, line)
            world.environment["SKIFF_METADATA_SOCKET"] = socket
            defer { world.environment["SKIFF_METADATA_SOCKET"] = nil }

            let (text, status) = try runPod(
                stage1: stage1, podFlags: ["--mds-register"], image: image, appFlags: ["--annotation=skiff.test/greeting=hi"])
            XCTAssertEqual(status, .exited(0), text)
            let uuid = try onlyPod()
            let url = try XCTUnwrap(probeValue("url", in: text), text)
            XCTAssertNotNil(url.range(of: "^http://172\\.16\\.28\\.1:\(port)/[0-9a-f]{64}$", options: .regularExpression), url)
            func field(_ name: String) -> String { probeValue(name, in: text) ?? "(missing \(name))" }
            let plain = "text/plain; charset=us-ascii"
            XCTAssertEqual(field("uuid.status"), "200")
            XCTAssertEqual(field("uuid.type"), plain)
            XCTAssertEqual(field("uuid.body"), uuid)
            XCTAssertEqual(field("manifest.type"), "application/json")
            XCTAssertTrue(field("manifest.body").contains("PodManifest"), field("manifest.body"))
            XCTAssertEqual(field("podannotations.type"), "application/json")
            XCTAssertEqual(field("podannotations.body").trimmingCharacters(in: .whitespaces), "[]")
            XCTAssertEqual(field("imagemanifest.type"), "application/json")
            XCTAssertTrue(field("imagemanifest.body").contains("skiff.test/busybox"), field("imagemanifest.body"))
            XCTAssertEqual(field("imageid.type"), plain)
            XCTAssertTrue(field("imageid.body").hasPrefix("sha512-"))
            XCTAssertTrue(try world.run("cat-manifest", uuid).stdoutText.contains(field("imageid.body")), "the pod manifest's image.id")
            XCTAssertEqual(field("appannotations.type"), "application/json")
            for annotation in ["skiff.test/from-image", "image-value", "skiff.test/greeting", "hi"] {
                XCTAssertTrue(field("appannotations.body").contains("\"\(annotation)\""), "image and pod annotations merged: \(field("appannotations.body"))")
            }
            XCTAssertEqual(field("greeting.body"), "hi")
            XCTAssertEqual(field("sign.status"), "200")
            XCTAssertEqual(field("sign.type"), plain)
            XCTAssertEqual(field("sign.body").count, 88, "base64 of an HMAC-SHA512: \(field("sign.body"))")
            XCTAssertEqual(field("verify.status"), "200", "the signature verifies")
            XCTAssertEqual(field("forged.status"), "403", "other content with that signature is refused")
            XCTAssertEqual(field("unregistered.status"), "401", "an unknown token is refused")

            try removePods("gc of the registered pod")
            let gone = try HTTPClient.send("DELETE", "/pods/\(uuid)", to: .unix(socket))
            XCTAssertEqual(gone.status, 404, "gc unregistered the pod")
        }
    }

    func testRegisteringWithoutAServiceFailsClearly() throws {
        let image = try TestImages.busybox(probe: ["exit", "0"])
        try forEachStage1(Stage1Case("--mds-register without a metadata service", notSupported: ["fly": Self.flyHostOnly])) { stage1 in
            let before = inventory()
            world.environment["SKIFF_METADATA_SOCKET"] = world.scratch + "/no-service.sock"
            defer { world.environment["SKIFF_METADATA_SOCKET"] = nil }
            let result = try world.run(podArguments(stage1: stage1, podFlags: ["--mds-register"], image: image))
            XCTAssertEqual(result.status, 254, result.stderrText)
            XCTAssertTrue(result.stderrText.contains("--mds-register") && result.stderrText.contains("metadata-service"), result.stderrText)
            try removePods("gc after the refused run")
            XCTAssertEqual(inventory(), before, "the networks set up before registering were released")
        }
    }
}
