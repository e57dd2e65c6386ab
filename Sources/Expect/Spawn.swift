// Module-level entry points in gexpect's shape: spawn from argv or from a command line.

/// Starts `argv` on a new terminal (see `ExpectSession.init`).
public func spawn(_ argv: [String], options: SpawnOptions = SpawnOptions()) throws(ExpectError) -> ExpectSession {
    try ExpectSession(argv, options: options)
}

/// Starts a command line, split into words like a shell would but without a shell (gexpect's
/// `Spawn`): `spawn(commandLine: "grep -n 'a b' file")` runs grep with three arguments.
public func spawn(commandLine: String, options: SpawnOptions = SpawnOptions()) throws(ExpectError) -> ExpectSession {
    try ExpectSession(try shellSplit(commandLine), options: options)
}
