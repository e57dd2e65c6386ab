// What run-prepared reads of a pod's stage1 manifest: the name and the annotations, the same as
// the full manifest gives.
import SkiffImage
import SkiffSystem
import XCTest

@testable import Engine

final class Stage1DescriptorTests: XCTestCase {
    private let manifest = #"""
        {"acKind":"ImageManifest","acVersion":"0.8.11","name":"skiff.dev/stage1-fly",
         "labels":[{"name":"version","value":"0.1.0"}],
         "annotations":[{"name":"skiff.dev/stage1/run","value":"/fly-run"},{"name":"skiff.dev/stage1/flavor","value":"fly"}]}
        """#

    func testNameAndAnnotationsAsTheFullManifestHasThem() throws {
        let bytes = Array(manifest.utf8)
        let light = try Stage1Descriptor(podCopy: bytes, path: "stage1/manifest")
        let full = Stage1Descriptor(try ImageManifest.parse(bytes))
        for descriptor in [light, full] {
            XCTAssertEqual(descriptor.name, "skiff.dev/stage1-fly")
            XCTAssertEqual(descriptor.annotation("skiff.dev/stage1/run"), "/fly-run")
            XCTAssertEqual(descriptor.annotation("skiff.dev/stage1/flavor"), "fly")
            XCTAssertNil(descriptor.annotation("skiff.dev/stage1/network"))
        }
    }

    func testWhatIsNotAManifestIsAnErrorNamingTheFile() {
        for (text, why) in [("{", "JSON"), (#"{"acKind":"ImageManifest"}"#, "no name")] {
            XCTAssertThrowsError(try Stage1Descriptor(podCopy: Array(text.utf8), path: "pod/stage1/manifest")) { error in
                XCTAssertTrue("\(error)".hasPrefix("read \"pod/stage1/manifest\": "), "\(error)")
                if why == "no name" { XCTAssertTrue("\(error)".hasSuffix("not an image manifest (no name)"), "\(error)") }
            }
        }
    }
}
