// Builds ACI images for tests: manifest plus rootfs entries, compressed with the real programs.
import Foundation
import SkiffArchive
import SkiffSystem

/// One rootfs entry of a test image (path relative to rootfs/, or raw when `raw` is set).
public struct TestEntry {
    public var entry: TarEntry
    public var data: [UInt8]

    public static func file(_ path: String, _ contents: String, mode: UInt32 = 0o644) -> TestEntry {
        let bytes = Array(contents.utf8)
        return TestEntry(entry: TarEntry(path: "rootfs/" + path, kind: .file, mode: mode, size: Int64(bytes.count)), data: bytes)
    }

    public static func directory(_ path: String, mode: UInt32 = 0o755) -> TestEntry {
        TestEntry(entry: TarEntry(path: "rootfs/" + path, kind: .directory, mode: mode), data: [])
    }

    public static func symlink(_ path: String, to target: String) -> TestEntry {
        var entry = TarEntry(path: "rootfs/" + path, kind: .symlink, mode: 0o777)
        entry.linkTarget = target
        return TestEntry(entry: entry, data: [])
    }

    public static func hardlink(_ path: String, to target: String) -> TestEntry {
        var entry = TarEntry(path: "rootfs/" + path, kind: .hardlink, mode: 0o644)
        entry.linkTarget = target
        return TestEntry(entry: entry, data: [])
    }

    /// An entry with a path written exactly as given (for hostile archives).
    public static func raw(_ path: String, kind: TarEntry.Kind = .file, contents: String = "x", linkTarget: String = "") -> TestEntry {
        let bytes = kind == .file ? Array(contents.utf8) : []
        var entry = TarEntry(path: path, kind: kind, mode: 0o644, size: Int64(bytes.count))
        entry.linkTarget = linkTarget
        return TestEntry(entry: entry, data: bytes)
    }
}

/// Writes ACI files.
public enum ACIBuilder {
    /// A minimal valid image manifest as JSON text.
    public static func manifest(
        name: String, version: String? = "1.0.0", labels: [String: String] = [:], exec: [String]? = ["/bin/true"],
        dependencies: String? = nil, pathWhitelist: [String]? = nil
    ) -> String {
        var allLabels = labels
        if let version { allLabels["version"] = version }
        allLabels["os"] = allLabels["os"] ?? "linux"
        allLabels["arch"] = allLabels["arch"] ?? "amd64"
        let labelJSON = allLabels.keys.sorted().map { "{\"name\":\"\($0)\",\"value\":\"\(allLabels[$0] ?? "")\"}" }
        var fields = [
            "\"acKind\":\"ImageManifest\"", "\"acVersion\":\"0.8.11\"", "\"name\":\"\(name)\"",
            "\"labels\":[\(labelJSON.joined(separator: ","))]",
        ]
        if let exec {
            let argv = exec.map { "\"\($0)\"" }.joined(separator: ",")
            fields.append("\"app\":{\"exec\":[\(argv)],\"user\":\"0\",\"group\":\"0\"}")
        }
        if let dependencies { fields.append("\"dependencies\":\(dependencies)") }
        if let pathWhitelist { fields.append("\"pathWhitelist\":[\(pathWhitelist.map { "\"\($0)\"" }.joined(separator: ","))]") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// Writes an ACI to `path`: manifest (last, as actool does, unless `manifestFirst`), a rootfs
    /// directory entry, then `entries`; compressed with `compression` (gzip, bzip2, xz, or none).
    @discardableResult
    public static func write(
        _ path: String, manifest: String?, entries: [TestEntry], compression: String = "none",
        rootfsEntry: Bool = true, manifestFirst: Bool = false
    ) throws -> String {
        let tarPath = compression == "none" ? path : path + ".tar"
        let file = try FileDescriptor.open(tarPath, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        let writer = TarWriter(file)
        let manifestBytes = manifest.map { Array($0.utf8) }
        func writeManifest() throws {
            if let manifestBytes {
                try writer.append(TarEntry(path: "manifest", kind: .file, mode: 0o644, size: Int64(manifestBytes.count)), data: manifestBytes)
            }
        }
        if manifestFirst { try writeManifest() }
        if rootfsEntry { try writer.append(TarEntry(path: "rootfs", kind: .directory, mode: 0o755)) }
        for entry in entries { try writer.append(entry.entry, data: entry.data) }
        if !manifestFirst { try writeManifest() }
        try writer.finish()
        file.close()
        if compression != "none" {
            let program = ["gzip": "gzip", "bzip2": "bzip2", "xz": "xz", "zstd": "zstd"][compression] ?? compression
            let result = try Subprocess.run(["sh", "-c", "\(program) -c < '\(tarPath)' > '\(path)' && rm '\(tarPath)'"])
            guard result.status == 0 else { throw TestSupportError("compress \(path): \(result.stderrText)") }
        }
        return path
    }

    /// The image ID of an ACI as appc defines it: sha512 of the uncompressed tar (with the real
    /// programs, so the engine is checked against something it did not compute).
    public static func imageID(of path: String) throws -> String {
        let result = try Subprocess.run(["sh", "-c", "(gzip -dc < '\(path)' 2>/dev/null || bzip2 -dc < '\(path)' 2>/dev/null || xz -dc < '\(path)' 2>/dev/null || cat '\(path)') | sha512sum"])
        guard result.status == 0 else { throw TestSupportError("sha512sum \(path): \(result.stderrText)") }
        return "sha512-" + String(result.stdoutText.prefix(128))
    }
}

/// A test-support failure with a message.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
