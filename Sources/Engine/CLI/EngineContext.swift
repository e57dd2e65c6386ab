// What commands that touch the store share: opening it, the fetcher, logging.
import SkiffImage
import SkiffStore

extension Invocation {
    /// The engine configuration from the global flags.
    var config: EngineConfig { global.config }

    /// Opens the image store under `--dir`.
    func imageStore() throws -> ImageStore { try ImageStore(root: config.dataDirectory) }

    /// A fetcher logging to stderr.
    func fetcher(_ store: ImageStore) throws -> ImageFetcher {
        let output = self.output
        return try ImageFetcher(
            config: config, store: store, limits: try ConfigFiles.imageLimits(config), log: { output.err($0) })
    }

    /// The positional arguments, or a usage error naming what is missing.
    func positionals(atLeast count: Int, _ what: String) throws -> [String] {
        let args = arguments.positionals
        guard args.count >= count else { throw SkiffError(.usage, "\(command.name): missing \(what) (see 'skiff \(command.name) --help')") }
        return args
    }

    /// Exactly `count` positional arguments.
    func positionals(exactly count: Int, _ what: String) throws -> [String] {
        let args = try positionals(atLeast: count, what)
        guard args.count == count else {
            throw SkiffError(.usage, "\(command.name): too many arguments (\(what)) (see 'skiff \(command.name) --help')")
        }
        return args
    }

    /// A flag's value (with its declared default).
    func value(_ name: String) -> String? { arguments.value(name, in: command.flags) }
}

extension ImageRecord {
    var imageID: ImageID {
        get throws { try ImageID(validating: id) }
    }
}
