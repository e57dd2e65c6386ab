// Checklist C.29 (depth-first order), C.31 (a dependency reached twice, each with its own
// whitelist), C.32 (pinned image IDs), C.33 (size), C.34 (whitelist), C.35 (dependency apps
// ignored), plus dependency validation and the cycle and depth guards.
import SkiffSystem
import XCTest

@testable import SkiffImage

/// An in-memory image world: name → (ID, manifest), resolving dependencies by name and labels.
private struct World {
    var images: [String: (ImageID, ImageManifest)] = [:]
    var resolved: [String] = []

    mutating func add(_ name: String, deps: [String] = [], whitelist: [String] = [], labels: [Label] = []) throws {
        var manifest = ImageManifest(name: try ACIdentifier(validating: name), labels: labels)
        manifest.dependencies = try deps.map { Dependency(imageName: try ACIdentifier(validating: $0)) }
        manifest.pathWhitelist = whitelist
        images[name] = (ManifestFixture.id(name), manifest)
    }

    func id(_ name: String) -> ImageID { ManifestFixture.id(name) }

    mutating func order(_ root: String) throws -> [RenderStep] {
        guard let (id, manifest) = images[root] else { throw SkiffError(.notFound, root) }
        let snapshot = images
        var names: [String] = []
        defer { resolved = names }
        return try renderOrder(root: id, manifest: manifest) { dependency in
            names.append(dependency.imageName.value)
            guard let found = snapshot[dependency.imageName.value] else { throw SkiffError(.notFound, dependency.imageName.value) }
            return found
        }
    }

    func names(_ steps: [RenderStep]) -> [String] {
        steps.map { step in images.first { $0.value.0 == step.image }?.key ?? "?" }
    }
}

final class ImageModelRenderOrderTests: XCTestCase {
    /// C.29: A → [B, C], C → [D] renders B, D, C, A.
    func testC29_DepthFirstInListedOrder() throws {
        var world = World()
        try world.add("a", deps: ["b", "c"])
        try world.add("b")
        try world.add("c", deps: ["d"])
        try world.add("d")
        let steps = try world.order("a")
        XCTAssertEqual(world.names(steps), ["b", "d", "c", "a"])
        XCTAssertEqual(steps.last, RenderStep(image: world.id("a"), whitelist: nil))
        XCTAssertTrue(steps.allSatisfy { $0.whitelist == nil })
    }

    /// C.31: A → [B, C], B → [D], C → [D] renders D, B, D, C, A; each D pass has its own filter.
    func testC31_DependencyReachedTwiceRendersTwiceWithItsPathsWhitelist() throws {
        var world = World()
        try world.add("a", deps: ["b", "c"])
        try world.add("b", deps: ["d"], whitelist: ["/usr/bin/b", "/usr/lib/d.so"])
        try world.add("c", deps: ["d"])
        try world.add("d")
        let steps = try world.order("a")
        XCTAssertEqual(world.names(steps), ["d", "b", "d", "c", "a"])
        XCTAssertEqual(steps[0].whitelist, ["/usr/bin/b", "/usr/lib/d.so"], "D under B: B's whitelist")
        XCTAssertEqual(steps[1].whitelist, ["/usr/bin/b", "/usr/lib/d.so"])
        XCTAssertNil(steps[2].whitelist, "D under C: no whitelist on that path")
        XCTAssertNil(steps[4].whitelist)
    }

    /// C.34 through dependencies: the filter of a layer keeps only what every whitelist above
    /// it keeps (ace.md: "filtered by any of the pathWhitelist of the image itself and the images
    /// depending on the image").
    func testC34_WhitelistsIntersectAlongThePath() throws {
        var world = World()
        try world.add("a", deps: ["b"], whitelist: ["/usr/bin/a", "/usr/lib/b.so", "/etc/shared"])
        try world.add("b", deps: ["c"], whitelist: ["/usr/lib/b.so", "/etc/shared", "/opt/b"])
        try world.add("c", whitelist: ["/srv/c"])
        let steps = try world.order("a")
        XCTAssertEqual(world.names(steps), ["c", "b", "a"])
        XCTAssertEqual(steps[2].whitelist, ["/etc/shared", "/usr/bin/a", "/usr/lib/b.so"])
        XCTAssertEqual(steps[1].whitelist, ["/etc/shared", "/usr/lib/b.so"])
        XCTAssertEqual(steps[0].whitelist, ["/"], "nothing of c survives all three whitelists but the root")
        let cFilter = PathWhitelist(try XCTUnwrap(steps[0].whitelist))
        XCTAssertFalse(cFilter.keeps("srv/c"))
        XCTAssertTrue(cFilter.keeps("/"))
    }

    /// C.32: a pinned image ID must match what was resolved.
    func testC32_PinnedImageIDMustMatch() throws {
        var world = World()
        try world.add("b")
        var manifest = ImageManifest(name: try ACIdentifier(validating: "a"))
        let wrong = ManifestFixture.id("other")
        manifest.dependencies = [Dependency(imageName: try ACIdentifier(validating: "b"), imageID: wrong)]
        let resolved = try XCTUnwrap(world.images["b"])
        assertImageModelError(.invalid, "image \"a\": dependency \"b\": found image \(world.id("b").short), but the manifest pins \(wrong.short)") {
            _ = try renderOrder(root: world.id("a"), manifest: manifest) { _ in resolved }
        }
        manifest.dependencies[0].imageID = world.id("b")
        XCTAssertEqual(try renderOrder(root: world.id("a"), manifest: manifest) { _ in resolved }.map(\.image), [world.id("b"), world.id("a")])
    }

    /// Without a pinned ID the resolved image must have the name and the requested labels.
    func testUnpinnedDependencyMustMatchNameAndLabels() throws {
        var world = World()
        try world.add("b", labels: [Label(name: try ACIdentifier(validating: "version"), value: "1.0")])
        var manifest = ImageManifest(name: try ACIdentifier(validating: "a"))
        let version = try ACIdentifier(validating: "version")
        manifest.dependencies = [Dependency(imageName: try ACIdentifier(validating: "b"), labels: [Label(name: version, value: "2.0")])]
        let resolved = try XCTUnwrap(world.images["b"])
        assertImageModelError(.invalid, #"image "a": dependency "b": found image has version="1.0", want "2.0""#) {
            _ = try renderOrder(root: world.id("a"), manifest: manifest) { _ in resolved }
        }
        manifest.dependencies = [Dependency(imageName: try ACIdentifier(validating: "c"))]
        assertImageModelError(.invalid, #"image "a": dependency "c": found image is named "b""#) {
            _ = try renderOrder(root: world.id("a"), manifest: manifest) { _ in resolved }
        }
    }

    /// C.33: a dependency's size bounds the fetched image.
    func testC33_DependencySizeCheck() throws {
        let b = try ACIdentifier(validating: "b")
        let dependency = Dependency(imageName: b, size: 22_017_258)
        let manifest = ImageManifest(name: b)
        XCTAssertNoThrow(try dependency.check(id: ManifestFixture.id("b"), manifest: manifest, size: 22_017_258))
        assertImageModelError(.invalid, #"dependency "b": found image is 99 bytes, but the manifest says 22017258"#) {
            try dependency.check(id: ManifestFixture.id("b"), manifest: manifest, size: 99)
        }
    }

    func testCyclesAreNamed() throws {
        var world = World()
        try world.add("a", deps: ["b"])
        try world.add("b", deps: ["c"])
        try world.add("c", deps: ["b"])
        assertImageModelError(.invalid, "image dependencies: cycle b -> c -> b") { _ = try world.order("a") }
        try world.add("self", deps: ["self"])
        assertImageModelError(.invalid, "image dependencies: cycle self -> self") { _ = try world.order("self") }
    }

    func testDepthIsBounded() throws {
        var world = World()
        for level in 0..<70 { try world.add("l\(level)", deps: level < 69 ? ["l\(level + 1)"] : []) }
        assertImageModelError(.invalid, #"image dependencies: deeper than 64 levels below "l0""#) { _ = try world.order("l0") }
        XCTAssertEqual(try world.order("l10").count, 60)
    }

    /// A lattice of diamonds doubles the plan per level; the plan size is bounded.
    func testPlanSizeIsBounded() throws {
        var world = World()
        for level in 0..<20 {
            try world.add("x\(level)", deps: level < 19 ? ["x\(level + 1)", "y\(level + 1)"] : [])
            try world.add("y\(level)", deps: level < 19 ? ["x\(level + 1)", "y\(level + 1)"] : [])
        }
        assertImageModelError(.invalid, #"image dependencies: more than 4096 layers below "x0""#) { _ = try world.order("x0") }
    }

    /// C.35: dependencies' app sections play no part in rendering.
    func testC35_DependencyAppIsIgnored() throws {
        var world = World()
        try world.add("a", deps: ["b"])
        try world.add("b")
        let before = try world.order("a")
        world.images["b"]?.1.app = App(exec: ["/bin/b"], user: "0", group: "0", workingDirectory: "/b")
        XCTAssertEqual(try world.order("a"), before)
    }

    /// Resolution errors propagate unchanged; resolve is called once per edge.
    func testResolveErrorsPropagate() throws {
        var world = World()
        try world.add("a", deps: ["b", "missing"])
        try world.add("b")
        assertImageModelError(.notFound, "missing") { _ = try world.order("a") }
        XCTAssertEqual(world.resolved, ["b", "missing"])
    }
}
