// The order an image and its dependencies are laid down (ace.md "Filesystem Setup"): depth-first
// in listed order, each image after its own dependencies, the image itself last. A dependency
// reached along two paths is laid down twice, each time filtered by the whitelists of the images
// above it on that path. A → [B, C], C → [D] gives B, D, C, A.
import SkiffSystem

/// One layer of a render: an image's rootfs and the whitelist filtering it.
public struct RenderStep: Sendable, Equatable {
    /// The image whose rootfs this layer extracts.
    public var image: ImageID
    /// The effective filter for this layer: the intersection of the pathWhitelists of this image
    /// and of every image above it on its path (never empty); nil keeps every file.
    public var whitelist: [String]?

    /// A layer of `image` filtered by `whitelist` (nil: unfiltered).
    public init(image: ImageID, whitelist: [String]?) {
        self.image = image
        self.whitelist = whitelist
    }
}

/// The render steps for `root`, whose manifest is `manifest`. `resolve` finds a dependency's
/// image (store lookup, fetching: the caller's business); each result is checked against the
/// dependency (pinned ID, else name and labels). Cycles, chains deeper than 64 and plans of more
/// than 4096 layers are errors.
public func renderOrder(
    root: ImageID, manifest: ImageManifest, resolve: (Dependency) throws -> (ImageID, ImageManifest)
) throws -> [RenderStep] {
    try withoutActuallyEscaping(resolve) { resolve in
        var planner = RenderPlanner(resolve: resolve)
        try planner.visit(root, manifest, chain: [], filter: nil)
        return planner.steps
    }
}

private struct RenderPlanner {
    static let maximumDepth = 64
    static let maximumSteps = 4096

    let resolve: (Dependency) throws -> (ImageID, ImageManifest)
    var steps: [RenderStep] = []

    mutating func visit(
        _ id: ImageID, _ manifest: ImageManifest, chain: [(ImageID, String)], filter: PathWhitelist?
    ) throws {
        let chain = chain + [(id, manifest.name.value)]
        var effective = filter
        let own = PathWhitelist(manifest.pathWhitelist)
        if !own.isEmpty { effective = effective.map { $0.intersection(own) } ?? own }
        for dependency in manifest.dependencies {
            let (dependencyID, dependencyManifest) = try resolve(dependency)
            do {
                try dependency.check(id: dependencyID, manifest: dependencyManifest)
            } catch let error as SkiffError {
                throw SkiffError(error.code, "image \(quote(manifest.name.value)): \(error.message)")
            }
            if let start = chain.firstIndex(where: { $0.0 == dependencyID }) {
                let names = chain[start...].map(\.1) + [dependencyManifest.name.value]
                throw SkiffError(.invalid, "image dependencies: cycle \(names.joined(separator: " -> "))")
            }
            guard chain.count < RenderPlanner.maximumDepth else {
                throw SkiffError(
                    .invalid,
                    "image dependencies: deeper than \(RenderPlanner.maximumDepth) levels below \(quote(chain[0].1))")
            }
            try visit(dependencyID, dependencyManifest, chain: chain, filter: effective)
        }
        guard steps.count < RenderPlanner.maximumSteps else {
            throw SkiffError(.invalid, "image dependencies: more than \(RenderPlanner.maximumSteps) layers below \(quote(chain[0].1))")
        }
        steps.append(RenderStep(image: id, whitelist: effective?.paths))
    }
}
