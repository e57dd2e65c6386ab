// The scanning pass: a Pike VM over a growing stream that tracks only where each thread started,
// and keeps its threads between calls so no byte is stepped twice.

/// A scanner's working memory and progress. Shared copy-on-write by `RegexScanner`.
final class RegexScanState: @unchecked Sendable {
    let program: RegexProgram
    /// Threads at `position`, after closure (possibly holding assertions that wait for the byte
    /// at `position`), in priority order; their starts never decrease along the list.
    var current: RegexThreadList
    var next: RegexThreadList
    var marks: RegexMarks
    let stack: UnsafeMutablePointer<Int32>
    /// The next position to step; everything before it has been examined.
    var position = 0
    /// Whether the thread starting at `position` is already in `current`.
    var startAdded = false
    /// Whether `current` holds assertions waiting for the byte at `position`.
    var hasPending = false
    /// A match reported with nothing of higher priority still alive: more data cannot change it.
    var cached: Range<Int>?
    var stepped = 0

    init(program: RegexProgram) {
        self.program = program
        let size = program.instructions.count
        current = RegexThreadList(capacity: size)
        next = RegexThreadList(capacity: size)
        marks = RegexMarks(size: size)
        stack = .allocate(capacity: 2 * size + 2)
        current.generation = marks.fresh()
    }

    deinit {
        current.deallocate()
        next.deallocate()
        marks.marks.deallocate()
        stack.deallocate()
    }

    func copy() -> RegexScanState {
        let copy = RegexScanState(program: program)
        copy.current.pcs.update(from: current.pcs, count: current.count)
        copy.current.starts.update(from: current.starts, count: current.count)
        copy.current.count = current.count
        copy.current.generation = current.generation
        copy.marks.marks.update(from: marks.marks, count: marks.size)
        copy.marks.generation = marks.generation
        copy.position = position
        copy.startAdded = startAdded
        copy.hasPending = hasPending
        copy.cached = cached
        copy.stepped = stepped
        return copy
    }

    /// Starts over at `position` with no threads.
    func reset(to position: Int) {
        self.position = position
        current.count = 0
        current.generation = marks.fresh()
        startAdded = false
        hasPending = false
        cached = nil
    }

    func discard(before position: Int) {
        if let cached {
            if position > cached.lowerBound { reset(to: position) }
            return
        }
        if position > self.position {
            reset(to: position)
        } else if current.count > 0 && current.starts[0] < position {
            // A discarded thread may have hidden a later-starting one at the same pc: recompute.
            reset(to: position)
        }
    }

    func scan(_ input: RegexInput) -> Range<Int>? {
        if let cached { return cached }
        let limit = input.limit
        guard position <= limit else { return nil }
        var marks = self.marks
        let stepper = RegexStepper(
            code: program.code, setBits: program.setBits, marks: marks.marks, stack: stack, input: input)
        var current = self.current
        var next = self.next
        var stepped = self.stepped
        var startAdded = self.startAdded
        var p = position
        defer {
            self.current = current
            self.next = next
            self.marks = marks
            self.stepped = stepped
        }
        if hasPending && (p < limit || input.isFinal) {
            // The byte at p has arrived: expand the waiting assertions, in order.
            next.count = 0
            next.generation = marks.fresh()
            for i in 0..<current.count { stepper.add(&next, current.pcs[i], current.starts[i], at: p) }
            swap(&current, &next)
            hasPending = false
        }
        var matchStart = -1
        var matchEnd = -1
        while true {
            if !startAdded {
                startAdded = true
                if matchStart < 0 {
                    if current.count == 0 {
                        let candidate = program.nextCandidate(from: p, input)
                        if candidate != p {
                            p = candidate
                            current.generation = marks.fresh()
                        }
                    }
                    if program.canStart(at: p, input) { stepper.add(&current, 0, p, at: p) }
                }
            }
            if p >= limit { break }
            if current.count == 0 {
                if matchStart >= 0 { break }
                p &+= 1
                startAdded = false
                current.generation = marks.fresh()
                continue
            }
            stepped &+= 1
            let byte = input.bytes[p &- input.base]
            next.count = 0
            next.generation = marks.fresh()
            var i = 0
            while i < current.count {
                let target = stepper.transition(current.pcs[i], byte, at: p)
                if target >= 0 {
                    stepper.add(&next, target, current.starts[i], at: p &+ 1)
                } else if target == -2 {
                    // A match: lower-priority threads (the rest of the list) are cut.
                    matchStart = current.starts[i]
                    matchEnd = p
                    break
                }
                i &+= 1
            }
            swap(&current, &next)
            p &+= 1
            startAdded = false
            if matchStart >= 0 && current.count == 0 { break }
        }
        if p >= limit && current.count > 0 {
            // At the end of the known data: a match here beats any found before (it has higher
            // priority); threads ahead of it are still alive unless the stream has ended.
            var liveStart = Int.max
            var i = 0
            while i < current.count {
                if program.code[Int(current.pcs[i])].op == .match {
                    matchStart = current.starts[i]
                    matchEnd = p
                    break
                }
                if !input.isFinal { liveStart = Swift.min(liveStart, current.starts[i]) }
                i &+= 1
            }
            if matchStart < 0 {
                // Nothing found yet: keep the threads for the next call.
                position = p
                self.startAdded = true
                if input.isFinal {
                    current.count = 0
                } else {
                    hasPending = (0..<current.count).contains { program.code[Int(current.pcs[$0])].op == .assert }
                }
                return nil
            }
            if liveStart != Int.max {
                // Eager: report what was found, but re-examine from the earliest live thread
                // next time, since more data may let a higher-priority thread win.
                position = Swift.min(matchStart, liveStart)
                current.count = 0
                current.generation = marks.fresh()
                self.startAdded = false
                hasPending = false
                return matchStart..<matchEnd
            }
        } else if matchStart < 0 {
            position = p
            self.startAdded = true
            return nil
        }
        cached = matchStart..<matchEnd
        current.count = 0
        return cached
    }
}
