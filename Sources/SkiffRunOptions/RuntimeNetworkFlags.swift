// run-prepared's networking flags: the DNS flags, --hosts-entry and --mds-register are run-time
// flags (prepare refuses them, as rkt's did), so run-prepared takes them, checked exactly as `run`
// checks them.
import SkiffSystem

extension PodRequestParser {
    /// The networking part of a request from run-time flags (`dns`, `dns-search`, `dns-opt`,
    /// `dns-domain`, `hosts-entry` values, `mds-register` "true"/"false"), in the order given,
    /// for a pod joining `networks` (nil: the default network). Errors are run's.
    public static func runtimeNetworkFlags(_ flags: [(name: String, value: String)], networks: [String]?) throws -> PodRequest {
        var state = ParserState(kind: .run)
        state.request.networks = networks
        for (name, value) in flags {
            if name == "mds-register" {
                state.request.mdsRegister = value == "true"
                continue
            }
            try state.applyNetworkFlag(name, value)
        }
        try state.checkNetworking()
        return state.request
    }
}
