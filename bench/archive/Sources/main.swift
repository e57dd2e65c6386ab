// archive-bench TAR DEST [userspace|layer]: extracts TAR (plain or compressed) into the existing
// directory DEST with SkiffArchive, as render does, and prints entries, bytes and seconds;
// `layer` applies it as an OCI layer (whiteouts on). Used by bench/archive/run and
// bench/fetch/run against GNU tar; never part of the tests.
#if canImport(Glibc)
import Glibc
#endif
import SkiffArchive
import SkiffSystem

let args = CommandLine.arguments
guard args.count >= 3 else {
    print("usage: archive-bench TAR DEST [userspace|layer]")
    exit(2)
}
var options = ExtractionOptions()
options.userspaceResolution = args.count > 3 && args[3] == "userspace"
options.whiteouts = args.count > 3 && args[3] == "layer"
var start = timespec()
clock_gettime(CLOCK_MONOTONIC, &start)
do {
    let file = try FileDescriptor.open(args[1], O_RDONLY)
    let source = try DecompressingSource(file: file, name: args[1])
    let report = try extractArchive(TarReader(source, name: args[1]), prefix: "", into: args[2], options: options)
    try source.finish()
    var end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &end)
    let seconds = Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    print("entries=\(report.entries) bytes=\(report.bytes) skipped=\(report.skipped.count) seconds=\(seconds)")
} catch {
    print("archive-bench: \(error)")
    exit(1)
}
