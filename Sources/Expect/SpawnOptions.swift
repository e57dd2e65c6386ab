// How to start a session.

/// A terminal window size in character cells.
public struct WindowSize: Equatable, Sendable, CustomStringConvertible {
    public var rows: UInt16
    public var columns: UInt16

    public init(rows: UInt16, columns: UInt16) {
        self.rows = rows
        self.columns = columns
    }

    /// "24x200".
    public var description: String { "\(rows)x\(columns)" }
}

/// Options for `spawn`. The defaults suit driving command-line programs in tests: echo off (so
/// your own input never matches a pattern), a wide window (so long lines never wrap), and a
/// 30-second timeout for each `expect`.
public struct SpawnOptions {
    /// The child's whole environment; nil inherits this process's environment.
    public var environment: [String: String]?
    /// Variables set on top of `environment` (or of the inherited one).
    public var environmentOverrides: [String: String]
    /// The child's working directory; nil inherits this process's.
    public var workingDirectory: String?
    /// The terminal's initial size; change it later with `setWindowSize`.
    public var windowSize: WindowSize
    /// Whether the terminal echoes what is sent to the child. Off by default: with echo on, every
    /// line you send comes back in the output and can match your own pattern.
    public var echo: Bool
    /// The default timeout of `expect`, `readLine` and `send`; nil waits forever.
    public var timeout: Duration?
    /// Remove ANSI escape sequences (colours, cursor moves, bracketed paste) from the output
    /// before matching.
    public var stripANSI: Bool
    /// Where to log the session as it happens.
    public var transcript: Transcript?
    /// Start the child with SIGHUP ignored, so it survives the terminal closing.
    public var ignoreHangup: Bool

    public init(
        environment: [String: String]? = nil,
        environmentOverrides: [String: String] = [:],
        workingDirectory: String? = nil,
        windowSize: WindowSize = WindowSize(rows: 24, columns: 200),
        echo: Bool = false,
        timeout: Duration? = .seconds(30),
        stripANSI: Bool = false,
        transcript: Transcript? = nil,
        ignoreHangup: Bool = false
    ) {
        self.environment = environment
        self.environmentOverrides = environmentOverrides
        self.workingDirectory = workingDirectory
        self.windowSize = windowSize
        self.echo = echo
        self.timeout = timeout
        self.stripANSI = stripANSI
        self.transcript = transcript
        self.ignoreHangup = ignoreHangup
    }
}
