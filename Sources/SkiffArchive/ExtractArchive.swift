// The loop render uses: every entry under a prefix of one archive into a root.
import SkiffSystem

/// Convenience used by render: every entry under `prefix` ("rootfs/" for ACIs, "" for layers), optional
/// `include` filter on the relative path (for appc pathWhitelist), into root.
///
/// Entries outside `prefix` (an ACI's `manifest`) are passed over, as is the prefix directory itself
/// ("rootfs/", or "./" in a layer): the root already exists and keeps its own metadata. Hard-link
/// targets must lie under the prefix too ("hard link to outside the root" otherwise) and are made
/// relative to the root. `include` sees the cleaned relative path ("etc/passwd").
public func extractArchive(
    _ reader: TarReader, prefix: String, into root: String, options: ExtractionOptions,
    include: ((String) -> Bool)? = nil
) throws -> ExtractionReport {
    let extractor = try SafeExtractor(root: root, options: options)
    let limit = options.limits.maxPathBytes
    while var entry = try reader.next() {
        guard let relative = strip(prefix, from: entry.path) else { continue }
        if relative.isEmpty && !entry.path.isEmpty { continue }
        let path: String
        do { path = try EntryPath.clean(relative, maxBytes: limit) } catch {
            if case .empty = error, !entry.path.isEmpty { continue }  // "./", "rootfs/./": the root itself
            extractor.archive = reader.name
            throw extractor.failure(entry, error.message)
        }
        if let include, !include(path) { continue }
        if entry.kind == .hardlink {
            guard let target = strip(prefix, from: entry.linkTarget) else {
                extractor.archive = reader.name
                throw extractor.failure(entry, "hard link to outside the root (\(quote(entry.linkTarget)))")
            }
            entry.linkTarget = target
        }
        try extractor.extract(entry, cleanPath: path, from: reader)
    }
    return try extractor.finish()
}

/// `path` without `prefix` (after a leading "./", which some tars write), or nil if it is not
/// under it. "rootfs" alone counts as the prefix directory "rootfs/".
private func strip(_ prefix: String, from path: String) -> String? {
    var path = Substring(path)
    while path.hasPrefix("./") {
        path = path.dropFirst(2)
        while path.hasPrefix("/") { path = path.dropFirst() }
    }
    if prefix.isEmpty { return String(path) }
    if path.hasPrefix(prefix) { return String(path.dropFirst(prefix.count)) }
    if prefix.hasSuffix("/") && path == prefix.dropLast() { return "" }
    return nil
}
