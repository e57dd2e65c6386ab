// Path splitting and temporary names on bytes, and the environment read as bytes.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem
import SkiffTestSupport
import XCTest

final class PathAndEnvironmentTests: XCTestCase {
    func testParentAndBaseNames() {
        let cases: [(String, String, String)] = [
            ("/a/b", "/a", "b"), ("/a/b/", "/a", "b"), ("b", ".", "b"), ("/", "/", ""), ("/a", "/", "a"),
            ("a/b//", "a", "b"), ("/pods/run/é-ü/stage1", "/pods/run/é-ü", "stage1"), ("", ".", ""),
        ]
        for (path, parent, base) in cases {
            XCTAssertEqual(FileSystem.parentPath(path), parent, "parent of \(path)")
            XCTAssertEqual(FileSystem.baseName(path), base, "base of \(path)")
        }
    }

    func testTemporaryNamesAreSiblingsAndUnique() {
        let names = (0..<1000).map { _ in FileSystem.temporaryName(for: "/pods/x/pid") }
        XCTAssertEqual(Set(names).count, names.count)
        for name in names.prefix(3) {
            XCTAssertTrue(name.hasPrefix("/pods/x/.pid.tmp-"), name)
            XCTAssertEqual(name.count, "/pods/x/.pid.tmp-".count + 16, name)
        }
    }

    func testTheEnvironmentAsTheProcessHasIt() {
        let environment = TestEnvironment.with(["SKIFF_TEST_ENV": "a=b=c ü", "SKIFF_TEST_EMPTY": ""]) { ProcessEnvironment.current() }
        XCTAssertEqual(environment["SKIFF_TEST_ENV"], "a=b=c ü", "split at the first =")
        XCTAssertEqual(environment["SKIFF_TEST_EMPTY"], "")
        XCTAssertEqual(environment["PATH"], String(cString: getenv("PATH")), "the value getenv finds")
    }
}
