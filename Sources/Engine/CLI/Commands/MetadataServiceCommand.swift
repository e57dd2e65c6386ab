// skiff metadata-service: the appc metadata service (docs/networking.md), in the foreground
// until SIGTERM or SIGINT, as rkt's was: pods registered by `run --mds-register` ask it who they
// are at AC_METADATA_URL.
#if canImport(Glibc)
import Glibc
#endif
import SkiffNetwork

enum MetadataServiceCommand {
    static let spec = CommandSpec(
        name: "metadata-service",
        summary: "Serve the appc metadata service to pods started with --mds-register",
        usage: "skiff metadata-service [--listen-port=18112] [--listen-address=0.0.0.0] [--socket=PATH]",
        details: """
            Pods reach it on TCP (the host's address on their network, port --listen-port; 0 picks a
            free one); engines register pods on the root-only Unix socket (--socket, default
            $SKIFF_METADATA_SOCKET or /run/skiff/metadata-svc.sock). Prints one line once it listens,
            runs until SIGTERM or SIGINT, then removes its socket. Registrations live in memory only.
            """,
        flags: [
            FlagSpec("listen-port", .value(placeholder: "PORT", defaultValue: String(MetadataService.defaultPort)), help: "TCP port for the pods"),
            FlagSpec("listen-address", .value(placeholder: "IPV4", defaultValue: "0.0.0.0"), help: "address to listen on"),
            FlagSpec("socket", .value(placeholder: "PATH", defaultValue: nil), help: "the registration socket"),
        ],
        action: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        try requireRoot("metadata-service")
        _ = try invocation.positionals(exactly: 0, "metadata-service takes no arguments")
        let portText = invocation.value("listen-port") ?? String(MetadataService.defaultPort)
        guard let port = UInt16(portText) else {
            throw SkiffError(.usage, "metadata-service: --listen-port=\(portText): not a port number (0...65535)")
        }
        let socket = invocation.value("socket") ?? PodNetworking.metadataSocket
        // Blocked before the server threads start (they inherit the mask): only sigwait below
        // takes these signals.
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let service = try MetadataService(socketPath: socket, address: invocation.value("listen-address") ?? "0.0.0.0", port: port)
        invocation.output.out("metadata-service: listening on port \(service.port), registrations on \(socket)\n")
        var received: Int32 = 0
        while sigwait(&signals, &received) != 0 {}
        service.stop()
        return 0
    }
}
