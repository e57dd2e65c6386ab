// expect, readLine, readUntil: waiting for output.

extension ExpectSession {
    /// Waits until one of `patterns` matches the output, and consumes the output up to the end of
    /// the match.
    ///
    /// The alternative whose match starts earliest in the output wins; on a tie, the one listed
    /// first (pexpect's rule). Include `.eof` or `.timeout` to have those outcomes answered
    /// instead of thrown. A regex's greedy tail matches what has arrived so far (anchor it with a
    /// literal such as `\r\n` when the rest matters).
    /// - Parameters:
    ///   - patterns: the alternatives.
    ///   - timeout: how long to wait; nil uses the session's `timeout`.
    /// - Returns: which alternative matched, the output before it, the match and its groups.
    /// - Throws: `ExpectError.timeout` / `.endOfFile` (with the tail of the output) when neither
    ///   a pattern nor a listed sentinel answers; `.invalidArgument` for an empty string pattern.
    @discardableResult
    public func expect(_ patterns: [Pattern], timeout: Duration? = nil) throws(ExpectError) -> ExpectMatch {
        for pattern in patterns {
            if case .exact(let bytes) = pattern.kind, bytes.isEmpty {
                throw .invalidArgument("expect: empty search string")
            }
        }
        let limit = timeout ?? self.timeout
        let deadline = Deadline.after(limit)
        while true {
            if let found = finder.search(patterns, in: buffer, isFinal: reachedEOF) {
                return take(found, patterns)
            }
            if reachedEOF {
                guard let index = patterns.firstIndex(where: { if case .endOfFile = $0.kind { true } else { false } })
                else { throw .endOfFile(expecting: describe(patterns), tail: tail()) }
                let before = buffer.bytes(from: buffer.base, to: buffer.end)
                buffer.consume(upTo: buffer.end)
                return ExpectMatch(index: index, outcome: .endOfFile, before: before, groups: [], groupNames: [:])
            }
            if try fill(until: deadline) == .timedOut {
                guard let index = patterns.firstIndex(where: { if case .timeout = $0.kind { true } else { false } })
                else { throw .timeout(expecting: describe(patterns), after: limit ?? .zero, tail: tail()) }
                let before = buffer.bytes(from: buffer.base, to: buffer.end)
                return ExpectMatch(index: index, outcome: .timeout, before: before, groups: [], groupNames: [:])
            }
        }
    }

    /// Waits for one pattern; a string literal is an exact match.
    @discardableResult
    public func expect(_ pattern: Pattern, timeout: Duration? = nil) throws(ExpectError) -> ExpectMatch {
        try expect([pattern], timeout: timeout)
    }

    /// Waits for a regular expression (syntax in `ByteRegex`); its groups are in the answer.
    /// - Throws: `ExpectError.invalidArgument` for a malformed regex, else as `expect(_:timeout:)`.
    @discardableResult
    public func expect(regex: String, timeout: Duration? = nil) throws(ExpectError) -> ExpectMatch {
        let compiled: ByteRegex
        do {
            compiled = try ByteRegex(regex)
        } catch {
            throw .invalidArgument("expect: \(error)")
        }
        return try expect([.regex(compiled)], timeout: timeout)
    }

    /// Reads one line and returns it without its line end (`\n`, and the `\r`s before it: a
    /// terminal adds one, a child printing `\r\n` adds another). At end of output, returns the last unterminated piece, then nil.
    public func readLine(timeout: Duration? = nil) throws(ExpectError) -> String? {
        guard var bytes = try readUntil(UInt8(ascii: "\n"), timeout: timeout) else { return nil }
        while bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads up to `delimiter` and returns the bytes before it (the delimiter is consumed). At end
    /// of output, returns what is left, then nil.
    public func readUntil(_ delimiter: UInt8, timeout: Duration? = nil) throws(ExpectError) -> [UInt8]? {
        let limit = timeout ?? self.timeout
        let deadline = Deadline.after(limit)
        var searched = buffer.base
        while true {
            let window = buffer.window
            let from = searched - buffer.base
            if let offset = window[from...].firstIndex(of: delimiter) {
                let stop = buffer.base + offset
                let line = buffer.bytes(from: buffer.base, to: stop)
                buffer.consume(upTo: stop + 1)
                return line
            }
            searched = buffer.end
            if reachedEOF {
                if buffer.count == 0 { return nil }
                let rest = buffer.bytes(from: buffer.base, to: buffer.end)
                buffer.consume(upTo: buffer.end)
                return rest
            }
            if try fill(until: deadline) == .timedOut {
                throw .timeout(
                    expecting: "delimiter \(quoted(String(decoding: [delimiter], as: UTF8.self)))",
                    after: limit ?? .zero, tail: tail())
            }
        }
    }

    /// Consumes through the match and builds the answer.
    private func take(_ found: FoundMatch, _ patterns: [Pattern]) -> ExpectMatch {
        let before = buffer.bytes(from: buffer.base, to: found.start)
        let groups = found.groups.map { range in range.map { buffer.bytes(from: $0.lowerBound, to: $0.upperBound) } }
        var names: [String: Int] = [:]
        if case .regex(let regex) = patterns[found.index].kind { names = regex.groupNames }
        buffer.consume(upTo: found.end)
        return ExpectMatch(index: found.index, outcome: .matched, before: before, groups: groups, groupNames: names)
    }

    private func describe(_ patterns: [Pattern]) -> String {
        patterns.map(\.description).joined(separator: " or ")
    }

    /// The end of the unconsumed output (or of the recent output), escaped for one message.
    func tail(limit: Int = 1024) -> String {
        let text =
            buffer.count > 0
            ? String(decoding: buffer.bytes(from: max(buffer.base, buffer.end - limit), to: buffer.end), as: UTF8.self)
            : recentOutput
        let clipped = String(text.suffix(limit))
        return clipped.isEmpty ? "(no output)" : clipped
    }
}
