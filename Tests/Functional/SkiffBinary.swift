// Where the functional tests find the skiff binary under test.
import Foundation

enum SkiffBinary {
    /// `$SKIFF_BIN`, else the `skiff` built next to this test bundle (.build/<config>/skiff).
    static var path: String {
        if let explicit = ProcessInfo.processInfo.environment["SKIFF_BIN"], !explicit.isEmpty { return explicit }
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        return bundle.appendingPathComponent("skiff").path
    }
}
