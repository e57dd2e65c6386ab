// The curl command line for one request. Secrets never go on it: the argv of every process is
// readable by every user through /proc, so credential headers travel in a config on stdin.
import FoundationEssentials
import SkiffSystem

/// One curl invocation: public arguments plus a config text (fed on stdin) for secret headers.
struct CurlCommand: Sendable, Equatable {
    /// argv, starting with "curl".
    var arguments: [String]
    /// `--config -` text holding the secret headers; nil when there are none.
    var config: String?

    /// The command for a single GET of `url` (no redirects followed: the client does that).
    /// - Parameters:
    ///   - headers: headers that may show in `ps` (If-None-Match).
    ///   - secretHeaders: headers that must not (Authorization).
    ///   - resumeFrom: > 0 asks for `bytes=N-`.
    ///   - headerDescriptor: the descriptor number curl dumps the response headers to.
    static func get(
        _ url: URL, headers: [(String, String)], secretHeaders: [(String, String)], resumeFrom: Int64,
        policy: TransportPolicy, userAgent: String, headerDescriptor: Int32
    ) throws -> CurlCommand {
        var arguments = [
            "curl",
            "--disable",  // must come first: ignore the user's ~/.curlrc
            "--silent", "--show-error",
            "--globoff",  // [] and {} in a URL are characters, not curl's URL patterns
            "--no-buffer",
            "--proto", "=http,https",
            "--suppress-connect-headers",  // a proxy's CONNECT answer is not the server's
            "--dump-header", "/dev/fd/\(headerDescriptor)",
            "--output", "-",
            "--connect-timeout", String(max(1, policy.connectTimeout)),
            "--speed-limit", "1", "--speed-time", String(max(1, policy.stallTimeout)),
            "--user-agent", userAgent,
        ]
        if policy.insecureTLS { arguments.append("--insecure") }
        if let caFile = policy.caFile { arguments += ["--cacert", caFile] }
        for entry in policy.connectTo { arguments += ["--connect-to", entry] }
        if resumeFrom > 0 { arguments += ["--range", "\(resumeFrom)-"] }
        for (name, value) in headers { arguments += ["--header", try headerLine(name, value, url: url)] }
        var config: String?
        if !secretHeaders.isEmpty {
            arguments += ["--config", "-"]
            config = try secretHeaders.map { "header = " + configQuoted(try headerLine($0.0, $0.1, url: url)) + "\n" }
                .joined()
        }
        arguments += ["--url", url.absoluteString]
        return CurlCommand(arguments: arguments, config: config)
    }

    /// `Name: value`, refusing line breaks that would smuggle in extra header lines.
    private static func headerLine(_ name: String, _ value: String, url: URL) throws -> String {
        if (name + value).contains(where: { $0.isNewline || $0 == "\0" }) || name.contains(":") {
            throw SkiffError(.invalid, "fetch \(redacted(url)): header \(quote(name)) contains a line break or colon")
        }
        return name + ": " + value
    }

    /// A double-quoted curl config value: backslash and double quote escaped.
    static func configQuoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            if character == "\\" || character == "\"" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}

/// A URL for messages, with any password replaced.
func redacted(_ url: URL) -> String {
    guard url.password != nil, var components = URLComponents(url: url, resolvingAgainstBaseURL: true) else {
        return url.absoluteString
    }
    components.password = "xxx"
    return components.url?.absoluteString ?? url.absoluteString
}
