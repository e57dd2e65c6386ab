// Packs a staged test image in the OCI forms with the real tar and gzip: the rootfs as one
// layer, the recipe's app as the image config (exec as Entrypoint, environment as Env, user and
// group as User, working directory, ports as ExposedPorts, mount points as Volumes), then an
// OCI layout, a tar of it, or a `docker save` archive. Reproducible like the ACIs.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SkiffSystem

/// Writes `.ociLayout`, `.ociArchive` or `.dockerArchive` images; returns `sha256:<manifest>`.
public struct OCIPackager: TestImagePackager {
    /// The form written.
    public let format: TestImageFormat

    /// Writes the image as `format.fileName` into `directory`.
    public func package(_ staged: StagedImage, into directory: String) throws -> String {
        let recipe = staged.recipe
        guard recipe.isolators.isEmpty, recipe.supplementaryGIDs.isEmpty else {
            throw TestSupportError("an OCI image config has no isolators or supplementary groups (recipe \(recipe.name))")
        }
        let work = directory + "/work"
        try FileSystem.createDirectory(work)
        defer { try? FileSystem.removeTree(work) }
        let layerTar = work + "/layer.tar"
        try tarRootfs(staged, into: layerTar)
        let tarBytes = try FileSystem.read(layerTar, limit: 1 << 30)
        let content = OCITestContent(scratch: work)
        let diffID = OCITestContent.digest(tarBytes)
        let config = try content.config(diffIDs: [diffID], run: Self.run(recipe), extra: ["created": "1970-01-01T00:00:00Z"])
        let tag = recipe.name + ":" + recipe.version
        switch format {
        case .dockerArchive:
            let configHex = config.hex
            let layerID = String(diffID.dropFirst(7))
            let archive = work + "/archive"
            try FileSystem.createDirectory(archive + "/" + layerID)
            try FileSystem.rename(layerTar, to: archive + "/" + layerID + "/layer.tar")
            try FileSystem.writeAtomically(archive + "/" + layerID + "/VERSION", Array("1.0".utf8))
            try FileSystem.writeAtomically(archive + "/" + configHex + ".json", content.blobs[config.digest] ?? [])
            let manifest: [[String: Any]] = [["Config": configHex + ".json", "RepoTags": [tag], "Layers": [layerID + "/layer.tar"]]]
            try FileSystem.writeAtomically(archive + "/manifest.json", try OCITestContent.json(manifest))
            try FileSystem.writeAtomically(archive + "/repositories", try OCITestContent.json([recipe.name: [recipe.version: layerID]]))
            try tar(["--create", "--file=" + directory + "/" + format.fileName, "-C", archive, "."])
            // docker save has no manifest: skiff writes this one (docs/images.md), compact, in
            // this member order, the layer typed by its first bytes (here a plain tar).
            let written = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(config.digest)","size":\#(config.size)},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\#(diffID)","size":\#(tarBytes.count)}]}"#
            return OCITestContent.digest(Array(written.utf8))
        default:
            let gzip = try Subprocess.run(["gzip", "-n", "-6", "-c", layerTar])
            guard gzip.status == 0 else { throw TestSupportError("gzip: \(gzip.stderrText)") }
            let layer = content.add(gzip.stdout, mediaType: OCITestContent.layerGzipType)
            let manifest = try content.manifest(config: config, layers: [layer])
            let layout = format == .ociLayout ? directory + "/" + format.fileName : work + "/layout"
            try content.writeLayout(to: layout, refs: [(manifest, tag)])
            if format == .ociArchive { try tar(["--create", "--file=" + directory + "/" + format.fileName, "-C", layout, "."]) }
            return manifest.digest
        }
    }

    /// The image config's `config` object for a recipe.
    static func run(_ recipe: TestImageRecipe) -> [String: Any] {
        var run: [String: Any] = ["Labels": ["org.opencontainers.image.version": recipe.version]]
        if let exec = recipe.exec { run["Entrypoint"] = exec }
        if !recipe.environment.isEmpty { run["Env"] = recipe.environment.keys.sorted().map { "\($0)=\(recipe.environment[$0] ?? "")" } }
        // A user with group "0" is written alone, so its group is the primary one the image's
        // /etc/passwd gives it (Docker's rule): "user" runs as 1000:1000 in the busybox image.
        if recipe.user != "0" || recipe.group != "0" { run["User"] = recipe.group == "0" ? recipe.user : recipe.user + ":" + recipe.group }
        if let directory = recipe.workingDirectory { run["WorkingDir"] = directory }
        var ports: [String: Any] = [:]
        for port in recipe.ports {
            for number in port.port..<(port.port + max(1, port.count)) { ports["\(number)/\(port.protocol)"] = [String: Any]() }
        }
        if !ports.isEmpty { run["ExposedPorts"] = ports }
        if !recipe.mountPoints.isEmpty {
            run["Volumes"] = Dictionary(uniqueKeysWithValues: recipe.mountPoints.map { ($0.path, [String: Any]()) })
        }
        return run
    }

    /// The rootfs as one tar: root-owned entries, then each differently owned subtree with its
    /// owner (as ACIPackager does; staging runs unprivileged).
    private func tarRootfs(_ staged: StagedImage, into path: String) throws {
        let common = ["--format=gnu", "--sort=name", "--mtime=@0", "--numeric-owner", "--anchored", "-C", staged.rootfs]
        let special = staged.owners.keys.sorted().map { String($0.dropFirst("rootfs/".count)) }
        try tar(["--create", "--file=" + path, "--owner=0", "--group=0"] + common + special.map { "--exclude=./" + $0 } + ["."])
        for relative in special {
            guard let owner = staged.owners["rootfs/" + relative] else { continue }
            let nested = special.filter { $0 != relative && $0.hasPrefix(relative + "/") }
            try tar(
                ["--append", "--file=" + path, "--owner=\(owner.uid)", "--group=\(owner.gid)"] + common
                    + nested.map { "--exclude=" + $0 } + [relative])
        }
    }

    private func tar(_ arguments: [String]) throws {
        let result = try Subprocess.run(["tar"] + arguments)
        guard result.status == 0 else { throw TestSupportError("tar \(arguments[0]): \(result.stderrText)") }
    }
}
