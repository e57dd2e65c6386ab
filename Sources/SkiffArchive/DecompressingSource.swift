// Uncompressed bytes of an image file, decompressed by the real program in a child process, so
// decompression runs on another core while this process parses and writes the tree.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem

/// The uncompressed bytes of a file that may be compressed. Sniffs the first bytes with pread; for
/// compressed input spawns the real program (`gzip -dc`, `bzip2 -dc`, `xz -dc`, `zstd -dc`) with the
/// file as stdin and reads its stdout through a pipe. `finish()` reaps the decompressor and throws a
/// one-line error with the program's last stderr line if it failed (corrupt/truncated input), naming
/// `name`. Counts bytes and stops with an error past `limit` (decompression bomb).
///
/// The decompressor's failure is also thrown by `read` when its output ends, so a tar reader sees
/// "gzip: unexpected end of file" rather than a misleading "truncated archive".
public final class DecompressingSource: ByteSource {
    /// What the file's magic bytes said.
    public let compression: Compression
    /// Uncompressed bytes handed out so far.
    public private(set) var bytesRead: Int64 = 0

    private let file: FileDescriptor
    private let name: String
    private let limit: Int64
    private var child: Subprocess?
    private var output: FileDescriptor?
    private var errors: FileDescriptor?
    private var failure: SkiffError?
    private var ended = false

    /// Opens the uncompressed stream of `file` (read from offset 0; the caller keeps `file` open).
    /// `name` is used in error messages. Throws if the first bytes are neither a known compression
    /// nor a tar header.
    public init(file: FileDescriptor, name: String, limit: Int64 = Int64.max) throws {
        self.file = file
        self.name = name
        self.limit = limit
        var prefix = [UInt8](repeating: 0, count: CompressionSniffer.prefixLength)
        let got = try prefix.withUnsafeMutableBytes { buffer in
            try check("read \(quote(name))") { pread(file.raw, buffer.baseAddress, buffer.count, 0) }
        }
        guard let kind = CompressionSniffer.detect(Array(prefix[0..<got])) else {
            throw SkiffError(.invalid, "read \(quote(name)): neither a tar archive nor gzip, bzip2, xz or zstd data")
        }
        compression = kind
        try check("seek \(quote(name))") { lseek(file.raw, 0, SEEK_SET) }
        guard let argv = kind.decompressor else { return }
        let out = try Pipe()
        let err = try Pipe()
        _ = sk_pipe_set_size(out.write.raw, 1 << 20)
        child = try Subprocess.spawn(argv, stdin: file.raw, stdout: out.write.raw, stderr: err.write.raw)
        out.write.close()
        err.write.close()
        output = out.read
        errors = err.read
    }

    deinit { stopChild() }

    /// Reads uncompressed bytes; 0 at the end. Throws the decompressor's error at the end of its
    /// output if it failed, and the bomb error once more than `limit` bytes came out.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let failure { throw failure }
        if ended { return 0 }
        let n: Int
        if let output {
            n = try check("read the output of \(compression.rawValue) for \(quote(name))") {
                Glibc.read(output.raw, buffer.baseAddress, buffer.count)
            }
        } else {
            n = try file.read(into: buffer)
        }
        if n == 0 {
            ended = true
            try reap()
            return 0
        }
        bytesRead += Int64(n)
        if bytesRead > limit {
            let error = SkiffError(
                .invalid, "decompress \(quote(name)): larger than the \(limit)-byte limit (decompression bomb?)")
            failure = error
            stopChild()
            throw error
        }
        return n
    }

    /// Reaps the decompressor; throws its one-line error if it failed. If the stream was not read
    /// to the end, the decompressor is stopped and only an earlier failure is reported.
    public func finish() throws {
        if let failure { throw failure }
        if !ended {
            stopChild()
            return
        }
        try reap()
    }

    /// Waits for the child after its output ended and records its failure.
    private func reap() throws {
        guard let running = child else { return }
        child = nil
        let status = try running.wait()
        let message = lastErrorLine()
        output?.close()
        errors?.close()
        if status != 0 {
            // "gzip: stdin: unexpected end of file": the program's name is already in our message.
            let program = running.argv[0] + ": "
            let why = message.isEmpty ? "exited with status \(status)"
                : message.hasPrefix(program) ? String(message.dropFirst(program.count)) : message
            let error = SkiffError(.invalid, "decompress \(quote(name)) with \(compression.rawValue): \(why)")
            failure = error
            throw error
        }
    }

    /// The last non-empty line the decompressor wrote to stderr (it wrote little; the pipe holds it).
    private func lastErrorLine() -> String {
        guard let errors else { return "" }
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while text.count < 1 << 16 {
            let n = chunk.withUnsafeMutableBytes { buffer in
                retryingEINTR { Glibc.read(errors.raw, buffer.baseAddress, buffer.count) }
            }
            if n <= 0 { break }
            text += chunk[0..<n]
        }
        let lines = String(decoding: text, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" })
        return lines.last.map { String($0).trimmingSpaces() } ?? ""
    }

    /// Stops a decompressor whose output is no longer wanted, and reaps it.
    private func stopChild() {
        output?.close()
        errors?.close()
        guard let running = child else { return }
        child = nil
        kill(running.pid, SIGKILL)
        _ = try? running.wait()
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(scalars[first...last])
    }
}
