// The container stage1 binary: `/container` in stage1-container.aci, started as
// `/container-run`, `-enter`, `-stop` or `-gc` (docs/stage1-container.md).
#if canImport(Glibc)
import Glibc
#endif
import SkiffStage1
import SkiffSystem

/// The container flavor's name, in its messages and its image's flavor annotation.
let flavorName = "container"

/// The container binary's entry point.
public enum ContainerMain {
    /// Dispatches on the name the binary was started as; never returns.
    public static func main(_ argv: [String]) -> Never {
        // First of all, before anything changes a disposition: what the apps must inherit.
        let signals = SignalSnapshot()
        let reporter = Stage1Reporter(flavor: flavorName)
        guard let (operation, arguments) = Stage1Entrypoint.split(argv) else {
            reporter.fail(
                SkiffError(
                    .usage,
                    "entrypoint \(quote(argv.first ?? "")): start container as container-run, container-enter, container-stop or container-gc"
                ))
        }
        let environment = Stage1Entrypoint.environment()
        switch operation {
        case .run: ContainerRun.main(arguments, environment: environment, signals: signals)
        case .enter: ContainerEnter.main(arguments, environment: environment, signals: signals)
        case .stop: ContainerStop.main(arguments)
        case .gc: ContainerGC.main(arguments)
        }
    }
}
