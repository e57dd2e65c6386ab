// Where a session's transcript goes: what the child printed and, optionally, what was sent to it.
#if canImport(Glibc)
import Glibc
#endif

/// A log of a session: every chunk the child writes (`output`) and every chunk sent to it
/// (`input`), delivered as it happens. Use it for test failure messages or to watch a session.
public struct Transcript {
    /// Which way a chunk went.
    public enum Direction: Sendable, Equatable {
        /// Written by the child, read from the terminal.
        case output
        /// Sent to the child by `send` and friends.
        case input
    }

    enum Sink {
        case fileDescriptor(Int32, includeInput: Bool)
        case bytes((Direction, [UInt8]) -> Void)
        case text((Direction, String) -> Void)
        case tee([Transcript])
    }

    let sink: Sink

    /// Writes the raw output bytes (and, if asked, the input) to a file descriptor, such as
    /// `STDERR_FILENO` or an open log file. The descriptor stays owned by the caller.
    public static func fileDescriptor(_ fd: Int32, includeInput: Bool = false) -> Transcript {
        Transcript(sink: .fileDescriptor(fd, includeInput: includeInput))
    }

    /// Calls `handler` with each chunk as bytes.
    public static func bytes(_ handler: @escaping (Direction, [UInt8]) -> Void) -> Transcript {
        Transcript(sink: .bytes(handler))
    }

    /// Calls `handler` with each chunk as text, decoded incrementally: a UTF-8 character split
    /// across two reads arrives whole in the second call.
    public static func text(_ handler: @escaping (Direction, String) -> Void) -> Transcript {
        Transcript(sink: .text(handler))
    }

    /// Sends every chunk to each of `transcripts`.
    public static func tee(_ transcripts: [Transcript]) -> Transcript {
        Transcript(sink: .tee(transcripts))
    }
}

/// Delivers chunks to a transcript, keeping the per-direction UTF-8 decoders text sinks need.
final class TranscriptWriter {
    private let transcript: Transcript
    private var decoders: [UTF8StreamDecoder] = [UTF8StreamDecoder(), UTF8StreamDecoder()]
    private var children: [TranscriptWriter] = []

    init(_ transcript: Transcript) {
        self.transcript = transcript
        if case .tee(let list) = transcript.sink { children = list.map(TranscriptWriter.init) }
    }

    func record(_ direction: Transcript.Direction, _ chunk: UnsafeRawBufferPointer) {
        switch transcript.sink {
        case .fileDescriptor(let fd, let includeInput):
            if direction == .output || includeInput { writeFully(fd, chunk) }
        case .bytes(let handler):
            handler(direction, Array(chunk))
        case .text(let handler):
            let index = direction == .output ? 0 : 1
            let text = decoders[index].decode(chunk)
            if !text.isEmpty { handler(direction, text) }
        case .tee:
            for child in children { child.record(direction, chunk) }
        }
    }

    /// Flushes characters held back by the text decoders (at end of output).
    func finish() {
        if case .text(let handler) = transcript.sink {
            for (index, direction) in [Transcript.Direction.output, .input].enumerated() {
                let text = decoders[index].decode([UInt8](), final: true)
                if !text.isEmpty { handler(direction, text) }
            }
        }
        for child in children { child.finish() }
    }
}

/// Writes all of `chunk` to `fd`, retrying on EINTR and partial writes; errors drop the rest
/// (a transcript must never break the session it records).
func writeFully(_ fd: Int32, _ chunk: UnsafeRawBufferPointer) {
    guard var pointer = chunk.baseAddress else { return }
    var left = chunk.count
    while left > 0 {
        let n = write(fd, pointer, left)
        if n < 0 {
            if errno == EINTR { continue }
            if errno == EAGAIN {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&pfd, 1, 1000)
                continue
            }
            return
        }
        pointer += n
        left -= n
    }
}
