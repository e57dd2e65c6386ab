// Where Skiff keeps data and reads configuration: set by the global flags.

/// The directories and policies every command works with (rkt's global flags).
public struct EngineConfig: Sendable {
    /// `--dir`: the data directory (store, trees, pods).
    public var dataDirectory = "/var/lib/skiff"
    /// `--local-config`: the administrator's configuration (trusted keys, auth, networks).
    public var localConfig = "/etc/skiff"
    /// `--system-config`: the vendor's configuration, overridden by the local one.
    public var systemConfig = "/usr/lib/skiff"
    /// `--user-config`: an extra configuration directory, overriding both (empty: none).
    public var userConfig = ""
    /// `--insecure-options`.
    public var insecure: InsecureOptions = []
    /// `--trust-keys-from-https`: trust keys discovered over HTTPS during fetch without asking.
    public var trustKeysFromHTTPS = false

    public init() {}

    /// Configuration directories from lowest to highest precedence.
    public var configDirectories: [String] {
        [systemConfig, localConfig] + (userConfig.isEmpty ? [] : [userConfig])
    }
}
