// Where Skiff keeps data and reads configuration: set by the global flags.
import SkiffFetch
#if canImport(Glibc)
import Glibc
#endif

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

    /// The configuration from the process environment (only `SKIFF_CONNECT_TO` so far).
    mutating func readEnvironment(_ environment: [String: String]) {
        if let entries = environment["SKIFF_CONNECT_TO"], !entries.isEmpty {
            connectTo = entries.split(separator: ",").map(String.init)
        }
    }

    /// `SKIFF_CONNECT_TO`: curl `--connect-to` entries (`HOST:PORT:ADDR:PORT`, comma-separated),
    /// to point image names at another server (a test server, a split-horizon mirror) while
    /// keeping the name for Host, TLS SNI and certificate checks.
    public var connectTo: [String] = []

    /// How the HTTP client may talk to servers, from the insecure options.
    public var transportPolicy: TransportPolicy {
        TransportPolicy(
            allowHTTP: insecure.contains(.http), insecureTLS: insecure.contains(.tls), connectTo: connectTo)
    }

    /// Configuration directories from lowest to highest precedence.
    public var configDirectories: [String] {
        [systemConfig, localConfig] + (userConfig.isEmpty ? [] : [userConfig])
    }
}

/// The process's environment (first of repeated names wins), read once: skiff never changes its
/// own environment, and `run` asked for it three times (configuration, the app's inherited
/// environment, the stage1's), each a dictionary of every variable.
func processEnvironment() -> [String: String] { environmentAtFirstUse }

private let environmentAtFirstUse = ProcessEnvironment.current()
