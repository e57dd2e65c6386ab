// The stage1 images the functional suite runs against: Skiff's own flavors next to the skiff
// binary, or any stage1 ACI given by path (the suite is the stage1 contract's conformance test).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SkiffSystem

/// One stage1 image the cases run on.
public struct Stage1UnderTest: Sendable, Hashable, CustomStringConvertible {
    /// The short name shown in the matrix: the flavor for `stage1-<flavor>.aci`, else the file
    /// name without `.aci`.
    public let name: String
    /// The stage1 ACI.
    public let path: String
    /// The flavor cases declare support by: the image's `skiff.dev/stage1/flavor` annotation,
    /// else `name`.
    public let flavor: String

    /// A stage1 at `path` with the given name and flavor (flavor defaults to the name).
    public init(name: String, path: String, flavor: String? = nil) {
        self.name = name
        self.path = path
        self.flavor = flavor ?? name
    }

    public var description: String { name }

    /// The environment variable listing stage1s: comma-separated flavor names (resolved to
    /// `stage1-<name>.aci` next to the skiff binary) or paths of stage1 ACIs.
    public static let environmentVariable = "SKIFF_TEST_STAGE1S"

    /// The stage1s of this run, resolved once: from `$SKIFF_TEST_STAGE1S`, else every
    /// `stage1-*.aci` next to the skiff binary under test.
    public static func fromEnvironment() throws -> [Stage1UnderTest] { try resolvedOnce.get() }

    private static let resolvedOnce: Result<[Stage1UnderTest], SkiffError> = {
        do {
            return .success(
                try resolve(
                    TestEnvironment.value(environmentVariable),
                    binaryDirectory: FileSystem.parentPath(TestEnvironment.skiffBinary)))
        } catch let error as SkiffError {
            return .failure(error)
        } catch {
            return .failure(SkiffError(.invalid, "resolve stage1s: \(error)"))
        }
    }()

    /// Resolves a `SKIFF_TEST_STAGE1S` value (nil or empty: every `stage1-*.aci` in
    /// `binaryDirectory`, Skiff's flavors first). A named stage1 that does not exist is an error,
    /// never silently dropped.
    public static func resolve(_ specification: String?, binaryDirectory: String) throws -> [Stage1UnderTest] {
        let entries = (specification ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        var paths: [String] = []
        if entries.isEmpty {
            let names = ((try? FileSystem.list(binaryDirectory)) ?? [])
                .filter { $0.hasPrefix("stage1-") && $0.hasSuffix(".aci") }
            let known = ["stage1-fly.aci", "stage1-container.aci", "stage1-kvm.aci"]
            paths = (known.filter(names.contains) + names.filter { !known.contains($0) }).map {
                binaryDirectory + "/" + $0
            }
        } else {
            for entry in entries {
                let path = entry.contains("/") ? entry : binaryDirectory + "/stage1-\(entry).aci"
                guard FileSystem.exists(path) else {
                    throw SkiffError(
                        .notFound,
                        "stage1 \(quote(entry)) from \(environmentVariable): no \(quote(path)) (build it with make)")
                }
                paths.append(path)
            }
        }
        return try paths.map { path in
            var name = FileSystem.baseName(path)
            if name.hasSuffix(".aci") { name.removeLast(4) }
            if name.hasPrefix("stage1-") { name.removeFirst(7) }
            return Stage1UnderTest(name: name, path: path, flavor: try flavorAnnotation(of: path))
        }
    }

    /// The `skiff.dev/stage1/flavor` annotation of the stage1 ACI at `path` (read with the real
    /// tar, which detects the compression, stopping at the first `manifest`), nil if it has none.
    public static func flavorAnnotation(of path: String) throws -> String? {
        let result = try Subprocess.run(["tar", "--extract", "--to-stdout", "--occurrence=1", "--file=" + path, "manifest"])
        guard result.status == 0 else {
            throw SkiffError(
                .invalid, "read manifest of stage1 \(quote(path)): tar exit \(result.status): \(result.stderrLastLine)")
        }
        struct Manifest: Decodable {
            struct Annotation: Decodable {
                let name: String
                let value: String
            }
            let annotations: [Annotation]?
        }
        do {
            let manifest = try JSONDecoder().decode(Manifest.self, from: Data(result.stdout))
            return manifest.annotations?.first { $0.name == "skiff.dev/stage1/flavor" }?.value
        } catch {
            throw SkiffError(.invalid, "read manifest of stage1 \(quote(path)): not an image manifest: \(error)")
        }
    }
}
