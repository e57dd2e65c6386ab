// Volumes of an app, mounted for real (root only).
#if canImport(Glibc)
import Glibc
#endif
import SkiffImage
@testable import SkiffStage1
import SkiffSystem
import XCTest

final class VolumeMounterTests: XCTestCase {
    var directory: Stage1Scratch!
    var paths: PodPaths { PodPaths(root: directory.path + "/pod") }
    var appRoot: String { paths.appRootfs("web") }
    var host: String { directory.path + "/host" }

    override func setUpWithError() throws {
        try stage1RequireRoot("mount(2)")
        directory = try Stage1Scratch()
        try FileSystem.createDirectory(appRoot + "/etc")
        try stage1WriteFile(host + "/data/file", "host data")
        try stage1WriteFile(host + "/single", "one file")
    }

    override func tearDownWithError() throws {
        guard let directory else { return }
        for point in try MountInfo.mountPoints(under: directory.path).reversed() { _ = umount2(point, Int32(MNT_DETACH)) }
        try directory.remove()
    }

    private func name(_ text: String) throws -> ACName { try ACName(validating: text) }

    func testHostEmptyAndAppVolumes() throws {
        try FileSystem.createDirectory(paths.sharedVolume("scratch"))
        let manifestVolumes = [
            Volume(name: try name("data"), kind: .host, source: host + "/data", readOnly: true),
            Volume(name: try name("scratch"), kind: .empty),
        ]
        let mounts = [
            Mount(volume: try name("scratch"), path: "/var/scratch"),
            Mount(volume: try name("data"), path: "/srv/data"),
            Mount(volume: try name("one"), path: "/etc/single.conf", appVolume: Volume(name: try name("one"), kind: .host, source: host + "/single")),
            Mount(volume: try name("cache"), path: "/srv/data/cache", appVolume: Volume(name: try name("cache"), kind: .empty, mode: "0700")),
        ]
        let app = try stage1App("web", exec: ["/x"], mounts: mounts)
        let manifest = PodManifest(apps: [app], volumes: manifestVolumes)
        // A target inside a read-only volume cannot be created there: an error naming both.
        XCTAssertThrowsError(try VolumeMounter.mount(app: app, manifest: manifest, paths: paths, appRoot: appRoot, recursiveDefault: true)) { error in
            XCTAssertTrue("\(error)".contains("app \"web\": volume \"cache\": resolve \"/srv/data/cache\""), "\(error)")
            XCTAssertEqual((error as? SkiffError)?.errno, EROFS)
        }
        XCTAssertEqual(try MountInfo.mountPoints(under: directory.path), [], "undone after the failure")
        try FileSystem.createDirectory(host + "/data/cache")
        let mounted = try VolumeMounter.mount(app: app, manifest: manifest, paths: paths, appRoot: appRoot, recursiveDefault: true)
        // Parents before children; the order of the manifest otherwise.
        XCTAssertEqual(mounted, [appRoot + "/var/scratch", appRoot + "/srv/data", appRoot + "/etc/single.conf", appRoot + "/srv/data/cache"])
        XCTAssertEqual(try stage1ReadText(appRoot + "/srv/data/file"), "host data")
        XCTAssertLessThan(open(appRoot + "/srv/data/new", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644), 0, "read-only volume")
        try stage1WriteFile(appRoot + "/var/scratch/out", "written by the app")
        XCTAssertEqual(try stage1ReadText(paths.sharedVolume("scratch") + "/out"), "written by the app")
        XCTAssertEqual(try stage1ReadText(appRoot + "/etc/single.conf"), "one file")
        XCTAssertEqual(try FileSystem.status(paths.sharedVolume("cache")).st_mode & 0o7777, 0o700)
        for target in mounted.reversed() { try Mounts.unmount(target) }
        XCTAssertEqual(try MountInfo.mountPoints(under: directory.path), [])
        XCTAssertFalse(FileSystem.exists(host + "/data/new"))
    }

    func testReadOnlyFallsBackToTheMountPointAndRecursiveToTheDefault() throws {
        try FileSystem.createDirectory(host + "/data/sub")
        try Mounts.tmpfs(host + "/data/sub")
        defer { try? Mounts.unmount(host + "/data/sub") }
        try stage1WriteFile(host + "/data/sub/inner", "sub")
        let app = try stage1App(
            "web", exec: ["/x"], mounts: [Mount(volume: try name("data"), path: "/data")],
            mountPoints: [MountPoint(name: try name("data"), path: "/data", readOnly: true)])
        let manifest = PodManifest(apps: [app], volumes: [Volume(name: try name("data"), kind: .host, source: host + "/data")])
        for recursive in [true, false] {
            let mounted = try VolumeMounter.mount(app: app, manifest: manifest, paths: paths, appRoot: appRoot, recursiveDefault: recursive)
            XCTAssertLessThan(open(appRoot + "/data/x", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644), 0, "read-only from the mount point")
            XCTAssertEqual(FileSystem.exists(appRoot + "/data/sub/inner"), recursive)
            for target in mounted.reversed() { try Mounts.unmount(target) }
        }
    }

    func testErrorsUndoWhatWasMounted() throws {
        let app = try stage1App(
            "web", exec: ["/x"],
            mounts: [Mount(volume: try name("data"), path: "/data"), Mount(volume: try name("gone"), path: "/data/gone")])
        let manifest = PodManifest(apps: [app], volumes: [
            Volume(name: try name("data"), kind: .host, source: host + "/data"),
            Volume(name: try name("gone"), kind: .host, source: host + "/no-such-dir"),
        ])
        XCTAssertThrowsError(try VolumeMounter.mount(app: app, manifest: manifest, paths: paths, appRoot: appRoot, recursiveDefault: true)) { error in
            XCTAssertTrue("\(error)".contains("app \"web\": volume \"gone\": source \"\(self.host)/no-such-dir\": ENOENT"), "\(error)")
        }
        XCTAssertEqual(try MountInfo.mountPoints(under: directory.path), [])
        let twice = try stage1App(
            "web", exec: ["/x"], mounts: [Mount(volume: try name("data"), path: "/d"), Mount(volume: try name("data"), path: "//d/")])
        XCTAssertThrowsError(try VolumeMounter.mount(app: twice, manifest: manifest, paths: paths, appRoot: appRoot, recursiveDefault: true)) { error in
            XCTAssertTrue("\(error)".contains("two volumes are mounted on"), "\(error)")
        }
    }
}
