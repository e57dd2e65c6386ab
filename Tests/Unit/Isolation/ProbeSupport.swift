// Test support: runs the C probe (Tests/CIsolationProbe) and helpers shared by the tests.
#if canImport(Glibc)
import Glibc
#endif
import CIsolationProbe
import CShim
import SkiffImage
@testable import SkiffIsolation
import SkiffSystem
import XCTest

/// What the probe child does after isolating itself.
enum ProbeAction {
    /// execve of argv[0] with argv; stdout and stderr are collected.
    case exec([String])
    /// One raw syscall; the output is "result R errno E".
    case syscall(Int, [Int])
    /// `count` raw syscalls timed; the output is "ns N".
    case loop(Int, [Int], count: Int)
}

/// How the probe child ended.
struct ProbeOutcome {
    var output: String
    var status: Int32

    /// The exit code, or nil if killed.
    var exitCode: Int32? { status & 0x7f == 0 ? (status >> 8) & 0xff : nil }
    /// The killing signal, or nil if it exited.
    var signal: Int32? { status & 0x7f == 0 ? nil : status & 0x7f }

    /// The number after `key` in the output ("errno 1" → 1).
    func number(after key: String) -> Int? {
        let words = output.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let index = words.firstIndex(where: { $0 == key }), index + 1 < words.count else { return nil }
        return Int(words[index + 1])
    }
}

/// Forks the probe: unshare `namespaces`, optionally make mounts private, optionally wait for
/// `whileWaiting(pid)` (run by this process), apply `isolation` around a switch to `ids`, then
/// do `action`.
func runProbe(
    isolation: PreparedIsolation? = nil, namespaces: Int32 = 0, makePrivate: Bool = false, ids: (uid: UInt32, gid: UInt32)? = nil,
    action: ProbeAction, whileWaiting: ((pid_t) throws -> Void)? = nil
) throws -> ProbeOutcome {
    var probe = skt_probe()
    probe.unshare_flags = namespaces
    probe.make_private = makePrivate ? 1 : 0
    probe.wait_for_parent = whileWaiting == nil ? 0 : 1
    probe.isolation = isolation?.pointer
    if let ids {
        probe.set_ids = 1
        probe.uid = ids.uid
        probe.gid = ids.gid
    }
    var argv: [UnsafeMutablePointer<CChar>?] = []
    let env: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
    defer {
        argv.forEach { free($0) }
        env.forEach { free($0) }
    }
    switch action {
    case .exec(let words):
        argv = words.map { strdup($0) } + [nil]
        probe.action = Int32(SKT_EXEC.rawValue)
    case .syscall(let nr, let args):
        probe.action = Int32(SKT_SYSCALL.rawValue)
        probe.nr = nr
        setArgs(&probe, args)
    case .loop(let nr, let args, let count):
        probe.action = Int32(SKT_LOOP.rawValue)
        probe.nr = nr
        probe.iterations = count
        setArgs(&probe, args)
    }
    var child = skt_child()
    let started = argv.withUnsafeBufferPointer { argvBuffer in
        env.withUnsafeBufferPointer { envBuffer in
            probe.path = argvBuffer.first.flatMap { $0 }.map { UnsafePointer($0) }
            probe.argv = argvBuffer.baseAddress.map { UnsafePointer($0) }
            probe.envp = envBuffer.baseAddress.map { UnsafePointer($0) }
            return skt_start(&probe, &child)
        }
    }
    guard started == 0 else { throw SkiffError.system("start the probe") }
    if let whileWaiting {
        if skt_wait_ready(&child) == 0 {
            do { try whileWaiting(child.pid) } catch {
                kill(child.pid, SIGKILL)
                var status: Int32 = 0
                var scratch = [CChar](repeating: 0, count: 16)
                _ = skt_collect(&child, &scratch, 16, &status)
                throw error
            }
            _ = skt_release(&child)
        }
    }
    var buffer = [CChar](repeating: 0, count: 1 << 16)
    var status: Int32 = 0
    let used = max(0, skt_collect(&child, &buffer, UInt(buffer.count), &status))
    return ProbeOutcome(output: String(decoding: buffer.prefix(used).map { UInt8(bitPattern: $0) }, as: UTF8.self), status: status)
}

private func setArgs(_ probe: inout skt_probe, _ args: [Int]) {
    var values = args + Array(repeating: 0, count: max(0, 6 - args.count))
    values = Array(values.prefix(6))
    probe.args = (values[0], values[1], values[2], values[3], values[4], values[5])
}

/// An isolator from JSON text, e.g. isolator("os/linux/seccomp-remove-set", #"{"set": ["mkdir"]}"#).
func isolator(_ name: String, _ json: String) throws -> Isolator {
    Isolator(name: try ACIdentifier(validating: name), value: try JSONValue(parsing: Array(json.utf8)))
}

/// A line "Key:\tvalue" of /proc/<pid>/status text.
func statusField(_ text: String, _ key: String) -> String? {
    for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
        return line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
    }
    return nil
}

/// A syscall number of this architecture.
func syscallNumber(_ name: String) -> Int {
    Int(SeccompArchitecture.native.table.numbers[name] ?? 0)
}

/// Skips the test unless running as root.
func requireRoot() throws {
    try XCTSkipUnless(geteuid() == 0, "needs root (CI runs as root)")
}

/// Starts `argv` the way a stage1 starts an app (sk_fork_exec_in_root), with `configure` filling
/// in the attributes under test; returns the call's result (pid, or the failing stage and errno).
func forkExecInRoot(
    _ argv: [String], environment: [String] = [], configure: (inout sk_exec_attr) -> Void
) -> (rc: Int32, result: sk_exec_result) {
    let cArgv: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    let cEnvp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
    defer { (cArgv + cEnvp).forEach { free($0) } }
    var result = sk_exec_result()
    let rc = cArgv.withUnsafeBufferPointer { a in
        cEnvp.withUnsafeBufferPointer { e in
            var attr = sk_exec_attr()
            attr.path = UnsafePointer(a[0])
            attr.argv = a.baseAddress.map { UnsafePointer($0) }
            attr.envp = e.baseAddress.map { UnsafePointer($0) }
            configure(&attr)
            return sk_fork_exec_in_root(&attr, &result)
        }
    }
    return (rc, result)
}
