// The app environment of appc's execution environment section.
@testable import SkiffStage1
import XCTest

final class AppEnvironmentTests: XCTestCase {
    func testDefaultsAreExact() throws {
        let app = try stage1App("web", exec: ["/app"])
        XCTAssertEqual(AppEnvironment.compose(app: app, interactive: false, callerTerm: "xterm", home: nil), [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "AC_APP_NAME=web", "container=skiff",
        ])
    }

    func testAppVariablesVerbatimAndPATHFromTheApp() throws {
        let app = try stage1App("db", exec: ["/db"], environment: ["PATH": "/opt/db/bin", "QUOTED": "a $HOME \"b\"", "EMPTY": ""])
        XCTAssertEqual(AppEnvironment.compose(app: app, interactive: false, callerTerm: nil, home: "/var/lib/db"), [
            "PATH=/opt/db/bin", "AC_APP_NAME=db", "container=skiff", "EMPTY=", "QUOTED=a $HOME \"b\"", "HOME=/var/lib/db",
        ])
    }

    func testEngineVariablesCannotBeOverriddenByTheApp() throws {
        let app = try stage1App("web", exec: ["/app"], environment: ["AC_APP_NAME": "other", "container": "docker"])
        let env = AppEnvironment.compose(app: app, interactive: false, callerTerm: nil, home: nil)
        XCTAssertEqual(AppEnvironment.value("AC_APP_NAME", in: env), "web")
        XCTAssertEqual(AppEnvironment.value("container", in: env), "skiff")
        XCTAssertEqual(env.count, 3)
    }

    func testTERMOnlyForInteractiveAppsAndHOMEOnlyWhenUnset() throws {
        let plain = try stage1App("a", exec: ["/a"])
        XCTAssertEqual(AppEnvironment.value("TERM", in: AppEnvironment.compose(app: plain, interactive: true, callerTerm: "vt100", home: nil)), "vt100")
        XCTAssertNil(AppEnvironment.value("TERM", in: AppEnvironment.compose(app: plain, interactive: false, callerTerm: "vt100", home: nil)))
        let own = try stage1App("a", exec: ["/a"], environment: ["TERM": "dumb", "HOME": "/h"])
        let env = AppEnvironment.compose(app: own, interactive: true, callerTerm: "vt100", home: "/root")
        XCTAssertEqual(AppEnvironment.value("TERM", in: env), "dumb")
        XCTAssertEqual(AppEnvironment.value("HOME", in: env), "/h")
        XCTAssertEqual(env.filter { $0.hasPrefix("HOME=") }.count, 1)
    }
}
