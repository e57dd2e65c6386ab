// Shared helpers: temporary directories, running real programs, building archives in memory.
// Members of a base class (not globals) so they cannot clash with other suites of a shared test
// module.
#if canImport(Glibc)
import Glibc
#endif
import CShim
import SkiffSystem
import XCTest

@testable import SkiffArchive

/// The base of the archive test cases: fixtures and helpers.
class ArchiveTestCase: XCTestCase {
    /// A temporary directory removed (with everything in it) when the test ends.
    final class TempDir {
        let path: String

        init(_ test: XCTestCase, base: String = "/tmp") throws {
            var template = Array("\(base)/skiff-archive-test-XXXXXX".utf8CString)
            guard let made = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
                throw SkiffError.system("mkdtemp")
            }
            path = String(cString: made)
            let path = self.path
            test.addTeardownBlock { try? FileSystem.removeTree(path) }
        }

        /// A subdirectory, created.
        func dir(_ name: String) throws -> String {
            let full = path + "/" + name
            try FileSystem.createDirectory(full)
            return full
        }
    }

    /// Runs a program; fails the test (throws) if it exits non-zero.
    @discardableResult
    func runProgram(_ argv: [String], input: [UInt8]? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> Subprocess.Output {
        let output = try Subprocess.run(argv, input: input)
        if output.status != 0 {
            XCTFail("\(argv.joined(separator: " ")) exited \(output.status): \(output.stderrText)", file: file, line: line)
            throw SkiffError(.invalid, "\(argv[0]) failed")
        }
        return output
    }

    /// Runs a shell command line.
    @discardableResult
    func shell(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> Subprocess.Output {
        try runProgram(["/bin/sh", "-c", command], file: file, line: line)
    }

    /// Writes entries with TarWriter into a file and returns its bytes.
    func makeTar(_ dir: TempDir, _ entries: [(TarEntry, [UInt8])], name: String = "made.tar") throws -> [UInt8] {
        let path = dir.path + "/" + name
        let fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_TRUNC)
        let writer = TarWriter(fd)
        for (entry, data) in entries { try writer.append(entry, data: data) }
        try writer.finish()
        fd.close()
        return try FileSystem.read(path)
    }

    /// Every entry of an archive in memory, with its data.
    func readAll(_ bytes: [UInt8], name: String = "test.tar") throws -> [(TarEntry, [UInt8])] {
        let reader = TarReader(MemorySource(bytes), name: name)
        var out: [(TarEntry, [UInt8])] = []
        while let entry = try reader.next() { out.append((entry, try reader.readAllData(limit: 1 << 24))) }
        return out
    }

    /// Extracts an in-memory archive (prefix "") with a fresh extractor.
    @discardableResult
    func extract(_ bytes: [UInt8], into root: String, options: ExtractionOptions = ExtractionOptions(), name: String = "test.tar") throws -> ExtractionReport {
        try extractArchive(TarReader(MemorySource(bytes), name: name), prefix: "", into: root, options: options)
    }

    /// The message of a thrown SkiffError (fails the test if nothing or something else is thrown).
    func errorMessage(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> String {
        do {
            try body()
            XCTFail("expected an error", file: file, line: line)
            return ""
        } catch let error as SkiffError {
            return error.message
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
            return ""
        }
    }

    func lstatOf(_ path: String) -> stat? {
        var st = stat()
        return lstat(path, &st) == 0 ? st : nil
    }

    func fileText(_ path: String) -> String? {
        (try? FileSystem.read(path)).map { String(decoding: $0, as: UTF8.self) }
    }

    func file(_ path: String, _ text: String, mode: UInt32 = 0o644) -> (TarEntry, [UInt8]) {
        (TarEntry(path: path, kind: .file, mode: mode), Array(text.utf8))
    }

    func directory(_ path: String, mode: UInt32 = 0o755) -> (TarEntry, [UInt8]) {
        (TarEntry(path: path, kind: .directory, mode: mode), [])
    }

    func symlink(_ path: String, to target: String) -> (TarEntry, [UInt8]) {
        (TarEntry(path: path, kind: .symlink, mode: 0o777, linkTarget: target), [])
    }

    func hardlink(_ path: String, to target: String) -> (TarEntry, [UInt8]) {
        (TarEntry(path: path, kind: .hardlink, linkTarget: target), [])
    }

    /// Both resolution paths: openat2 (when the kernel has it) and the userspace walker.
    enum Resolution: CaseIterable {
        case openat2, userspace

        var options: ExtractionOptions {
            var options = ExtractionOptions()
            options.userspaceResolution = self == .userspace
            return options
        }
    }

    /// Recomputes the checksum of the header at `offset` after a test edited it.
    func reseal(_ bytes: inout [UInt8], at offset: Int) {
        var header = Array(bytes[offset..<(offset + 512)])
        TarHeader.seal(&header)
        bytes.replaceSubrange(offset..<(offset + 512), with: header)
    }

    /// lsetxattr through the shim; 0 or -1.
    func setUserXattr(_ path: String, _ key: String, _ value: [UInt8]) -> Int32 {
        let parent = FileSystem.parentPath(path)
        guard let fd = try? FileDescriptor.open(parent, O_RDONLY | O_DIRECTORY) else { return -1 }
        return value.withUnsafeBytes { sk_lsetxattrat(fd.raw, FileSystem.baseName(path), key, $0.baseAddress, $0.count) }
    }

    /// lgetxattr through the shim.
    func getXattr(_ path: String, _ key: String) -> [UInt8]? {
        guard let parent = try? FileDescriptor.open(FileSystem.parentPath(path), O_RDONLY | O_DIRECTORY) else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { sk_lgetxattrat(parent.raw, FileSystem.baseName(path), key, $0.baseAddress, $0.count) }
        return n < 0 ? nil : Array(buffer[0..<n])
    }

    /// The whole st_mode (type and permissions) of a path, 0 if missing.
    func modeOf(_ path: String) -> mode_t { lstatOf(path)?.st_mode ?? 0 }
}
