// The skiff executable: everything lives in Engine; this only connects it to the process.
#if canImport(Glibc)
import Glibc
#endif
import Engine

exit(SkiffCLI.run(Array(CommandLine.arguments.dropFirst()), output: .standard))
