// How careful the transport must be: which schemes, which certificates, how long to wait.

/// What the HTTP client may do on the wire. The defaults are the safe ones: https only, the
/// system's trusted certificates, no proxy surprises from a user's ~/.curlrc.
public struct TransportPolicy: Sendable, Equatable {
    /// Allow plain http:// URLs, also as redirect targets and as discovery fallback
    /// (rkt's `--insecure-options=http`).
    public var allowHTTP: Bool
    /// Accept any TLS certificate (curl -k; rkt's `--insecure-options=tls`).
    public var insecureTLS: Bool
    /// A PEM file of CA certificates to trust instead of the system's (curl --cacert).
    public var caFile: String?
    /// Seconds to wait for a connection to be established.
    public var connectTimeout: Int
    /// Seconds a transfer may make no progress (under 1 byte/s) before it is abandoned.
    public var stallTimeout: Int
    /// curl `--connect-to` entries, `HOST1:PORT1:HOST2:PORT2`: connect to HOST2:PORT2 whenever a
    /// URL names HOST1:PORT1, keeping the name for Host, SNI and certificate checks. For tests
    /// (image names on a local server) and split-horizon setups.
    public var connectTo: [String]

    /// A policy; every parameter defaults to the safe choice.
    public init(
        allowHTTP: Bool = false, insecureTLS: Bool = false, caFile: String? = nil, connectTimeout: Int = 30,
        stallTimeout: Int = 60, connectTo: [String] = []
    ) {
        self.allowHTTP = allowHTTP
        self.insecureTLS = insecureTLS
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.connectTo = connectTo
    }
}
