// Default app names from image names (last component, sanitized), -2/-3 for repeats, explicit
// --name winning and required to be unique.
import SkiffImage
import SkiffSystem
import XCTest

@testable import SkiffRunOptions

final class RunOptionsAppNameTests: XCTestCase {
    private func names(_ arguments: [String], _ imageNames: [String]) throws -> [String] {
        try appNames(for: try parseRun(arguments).apps, imageNames: imageNames).map(\.value)
    }

    func testDefaultNamesComeFromTheLastComponent() throws {
        XCTAssertEqual(try names(["a", "b", "c"], ["example.com/app1", "registry-1.docker.io/library/nginx", "etcd"]), ["app1", "nginx", "etcd"])
    }

    func testSanitizing() {
        XCTAssertEqual(sanitizedAppName("example.com/My_App.v2"), "my-app-v2")
        XCTAssertEqual(sanitizedAppName("quay.io/coreos/--etcd--"), "etcd")
        XCTAssertEqual(sanitizedAppName("x/a__b..c"), "a-b-c")
        XCTAssertEqual(sanitizedAppName("trailing/"), "trailing")
        XCTAssertEqual(sanitizedAppName("x/ü"), "")
    }

    func testRepeatsGetNumbered() throws {
        XCTAssertEqual(try names(["a", "b", "c"], ["x/busybox", "y/busybox", "busybox"]), ["busybox", "busybox-2", "busybox-3"])
    }

    func testExplicitNamesWin() throws {
        // A later explicit name keeps its name; the derived one steps aside.
        XCTAssertEqual(try names(["a", "b", "--name=busybox"], ["busybox", "other"]), ["busybox-2", "busybox"])
        XCTAssertEqual(try names(["a", "--name=busybox-2", "b", "c"], ["x", "busybox", "busybox"]), ["busybox-2", "busybox", "busybox-3"])
    }

    func testExplicitNamesMustBeUnique() throws {
        let apps = try parseRun(["a", "--name=web", "b", "--name=web"]).apps
        assertRunOptionsFailure("--name \"web\" given to two apps (app names must be unique)") { try appNames(for: apps, imageNames: ["a", "b"]) }
    }

    func testErrors() throws {
        let apps = try parseRun(["a"]).apps
        assertRunOptionsFailure("image \"x/___\": no app name can be made from its name (give --name)") { try appNames(for: apps, imageNames: ["x/___"]) }
        assertRunOptionsFailure("app names: 1 apps but 2 image names") { try appNames(for: apps, imageNames: ["a", "b"]) }
        var invalid = AppOptions(image: "a")
        invalid.name = "Bad"
        assertRunOptionsFailure("--name \"Bad\": not an AC name") { try appNames(for: [invalid], imageNames: ["a"]) }
    }
}
