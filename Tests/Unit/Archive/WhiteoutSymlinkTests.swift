// Whiteouts reached through a symlink are refused (they would delete another directory's
// files), and an opaque marker keeps what this layer put in directories it did not list.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem
import XCTest

@testable import SkiffArchive

final class WhiteoutSymlinkTests: ArchiveTestCase {
    func testWhiteoutAndOpaqueMarkerThroughASymlinkAreRefused() throws {
        for resolution in Resolution.allCases {
            let dir = try TempDir(self)
            let root = try dir.dir("root")
            var options = resolution.options
            options.whiteouts = true
            try extract(try makeTar(dir, [directory("etc/"), file("etc/passwd", "root"), symlink("link", to: "/etc")]), into: root, options: options)
            let whiteout = errorMessage { try extract(try makeTar(dir, [file("link/.wh.passwd", "")], name: "w.tar"), into: root, options: options, name: "w.tar") }
            XCTAssertEqual(whiteout, "extract \"link/.wh.passwd\" of \"w.tar\": whiteout through the symlink \"link\"", "\(resolution)")
            let opaque = errorMessage { try extract(try makeTar(dir, [file("link/.wh..wh..opq", "")], name: "o.tar"), into: root, options: options, name: "o.tar") }
            XCTAssertEqual(opaque, "extract \"link/.wh..wh..opq\" of \"o.tar\": whiteout through the symlink \"link\"", "\(resolution)")
            XCTAssertEqual(fileText(root + "/etc/passwd"), "root", "nothing deleted through the link")
            // Whiting out the symlink itself removes the link, not its target.
            try extract(try makeTar(dir, [file(".wh.link", "")], name: "l.tar"), into: root, options: options)
            XCTAssertEqual(try FileSystem.list(root), ["etc"])
            XCTAssertEqual(fileText(root + "/etc/passwd"), "root")
        }
    }

    func testAWhiteoutBelowAFileOrAMissingDirectoryHidesNothing() throws {
        let dir = try TempDir(self)
        let root = try dir.dir("root")
        var options = ExtractionOptions()
        options.whiteouts = true
        try extract(try makeTar(dir, [file("plain", "p")]), into: root, options: options)
        try extract(try makeTar(dir, [file("plain/.wh.x", ""), file("missing/deeper/.wh.y", "")], name: "2.tar"), into: root, options: options)
        XCTAssertEqual(try FileSystem.list(root), ["plain"])
    }

    func testAnOpaqueMarkerKeepsThisLayersFilesInDirectoriesItDidNotList() throws {
        let dir = try TempDir(self)
        let root = try dir.dir("root")
        var options = ExtractionOptions()
        options.whiteouts = true
        try extract(try makeTar(dir, [directory("d/"), directory("d/a/"), file("d/a/old", "o"), file("d/b", "b")]), into: root, options: options)
        // This layer writes d/a/new without a d/a/ entry, then makes d opaque.
        try extract(try makeTar(dir, [file("d/a/new", "n"), file("d/.wh..wh..opq", "")], name: "2.tar"), into: root, options: options)
        XCTAssertEqual(try FileSystem.list(root + "/d"), ["a"])
        XCTAssertEqual(try FileSystem.list(root + "/d/a"), ["new"], "lower d/a/old hidden, this layer's d/a/new kept")
    }
}
