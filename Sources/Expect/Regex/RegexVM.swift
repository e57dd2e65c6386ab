// Pike VM building blocks shared by the scanning pass and the capture pass: the input view
// (with what is and is not known yet at a non-final window's end), thread lists and closures.

/// The bytes a VM run may look at, addressed by absolute stream position.
struct RegexInput {
    nonisolated(unsafe) private static let nothing = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

    /// The window's first byte (stream position `base`).
    let bytes: UnsafePointer<UInt8>
    let base: Int
    /// Window length.
    let count: Int
    /// Stream position up to which bytes count as known. Equal to the window's end, except in a
    /// non-final window of a UTF-8-aware program that ends inside a character (`C3` of `é`):
    /// that partial character is held back until the rest arrives, so every decision a VM
    /// makes depends only on the stream, never on how it was chunked.
    let limit: Int
    /// The byte before `base`, or -1.
    let previous: Int
    let isFinal: Bool

    init(_ window: UnsafeRawBufferPointer, base: Int, previous: UInt8?, isFinal: Bool, program: RegexProgram) {
        if let start = window.baseAddress {
            bytes = start.assumingMemoryBound(to: UInt8.self)
        } else {
            bytes = UnsafePointer(RegexInput.nothing)
        }
        self.base = base
        count = window.count
        self.previous = previous.map(Int.init) ?? -1
        self.isFinal = isFinal
        if program.usesUTF8 && !isFinal && count > 0 {
            limit = base + regexIncompleteUTF8Tail(bytes, count: count, floor: 0)
        } else {
            limit = base + count
        }
    }

    /// The byte before stream position `p` (which is at least `base`), or -1 at stream start.
    @inline(__always)
    func byte(before p: Int) -> Int {
        p > base ? Int(bytes[p &- base &- 1]) : previous
    }

    /// The byte at `p`: -1 past the end of a final stream, -2 when not known yet.
    @inline(__always)
    func byte(at p: Int) -> Int {
        if p < limit { return Int(bytes[p &- base]) }
        return isFinal ? -1 : -2
    }

    /// Whether `assertion` holds at `p`: 1 yes, 0 no, -1 not known until the next byte arrives.
    @inline(__always)
    func check(_ assertion: Int32, at p: Int) -> Int8 {
        switch assertion {
        case RegexAssertion.lineStart.rawValue:
            let before = byte(before: p)
            return before < 0 || before == 0x0A ? 1 : 0
        case RegexAssertion.textStart.rawValue:
            return p == 0 ? 1 : 0
        case RegexAssertion.lineEnd.rawValue:
            let after = byte(at: p)
            if after == -2 { return -1 }
            return after == -1 || after == 0x0A || after == 0x0D ? 1 : 0
        case RegexAssertion.textEnd.rawValue:
            let after = byte(at: p)
            if after == -2 { return -1 }
            return after == -1 ? 1 : 0
        default:
            let after = byte(at: p)
            if after == -2 { return -1 }
            let boundary = RegexByteSet.isWordByte(byte(before: p)) != RegexByteSet.isWordByte(after)
            return boundary == (assertion == RegexAssertion.wordBoundary.rawValue) ? 1 : 0
        }
    }
}

/// A thread list of the scanning pass: program counters and the positions where the threads
/// started, in priority order. Storage is owned by `RegexScanState`.
struct RegexThreadList {
    let pcs: UnsafeMutablePointer<Int32>
    let starts: UnsafeMutablePointer<Int>
    var count = 0
    /// Marks value of this list's closure (see `RegexMarks`).
    var generation: UInt32 = 0

    init(capacity: Int) {
        pcs = .allocate(capacity: capacity)
        starts = .allocate(capacity: capacity)
    }

    func deallocate() {
        pcs.deallocate()
        starts.deallocate()
    }

    @inline(__always)
    mutating func append(_ pc: Int32, _ start: Int) {
        pcs[count] = pc
        starts[count] = start
        count &+= 1
    }
}

/// Per-pc "visited" marks: pc is in the closure being built when `marks[pc] == generation`.
/// A new generation empties the set in O(1).
struct RegexMarks {
    let marks: UnsafeMutablePointer<UInt32>
    let size: Int
    var generation: UInt32 = 0

    init(size: Int) {
        self.size = size
        marks = .allocate(capacity: size)
        marks.initialize(repeating: 0, count: size)
    }

    mutating func fresh() -> UInt32 {
        if generation == UInt32.max {
            marks.update(repeating: 0, count: size)
            generation = 0
        }
        generation &+= 1
        return generation
    }
}

/// The scanning pass's closure computation and per-thread transition.
struct RegexStepper {
    let code: UnsafeMutablePointer<RegexInstruction>
    let setBits: UnsafeMutablePointer<UInt64>
    let marks: UnsafeMutablePointer<UInt32>
    let stack: UnsafeMutablePointer<Int32>
    let input: RegexInput

    @inline(__always)
    func inSet(_ set: Int32, _ byte: UInt8) -> Bool {
        (setBits[Int(set) &* 4 &+ Int(byte &>> 6)] &>> UInt64(byte & 63)) & 1 != 0
    }

    /// Adds thread (`pc`, `start`) at position `p` with its epsilon closure, depth first so the
    /// list stays in priority order; pcs already in the list are skipped (the earlier thread has
    /// the same future and higher priority). An assertion that cannot be decided yet is kept in
    /// the list as is, to be expanded when the next byte is known.
    @inline(__always)
    func add(_ list: inout RegexThreadList, _ pc: Int32, _ start: Int, at p: Int) {
        let generation = list.generation
        // Fast path: a consuming instruction needs no closure.
        let first = code[Int(pc)]
        if first.op.rawValue <= RegexOp.skip.rawValue || first.op == .match {
            if marks[Int(pc)] != generation {
                marks[Int(pc)] = generation
                list.append(pc, start)
            }
            return
        }
        stack[0] = pc
        var top = 1
        while top > 0 {
            top &-= 1
            let pc = stack[top]
            if marks[Int(pc)] == generation { continue }
            marks[Int(pc)] = generation
            let instruction = code[Int(pc)]
            switch instruction.op {
            case .split:
                stack[top] = instruction.b
                stack[top &+ 1] = instruction.a
                top &+= 2
            case .jump, .save:
                stack[top] = instruction.b
                top &+= 1
            case .assert:
                let holds = input.check(instruction.a, at: p)
                if holds > 0 {
                    stack[top] = instruction.b
                    top &+= 1
                } else if holds < 0 {
                    list.append(pc, start)
                }
            default:
                list.append(pc, start)
            }
        }
    }

    /// Where a thread at consuming instruction `pc` goes on the byte at `p`: -1 if it dies, -2
    /// if `pc` is the match instruction.
    @inline(__always)
    func transition(_ pc: Int32, _ byte: UInt8, at p: Int) -> Int32 {
        let instruction = code[Int(pc)]
        switch instruction.op {
        case .byte:
            return byte == UInt8(truncatingIfNeeded: instruction.a) ? instruction.b : -1
        case .set:
            return inSet(instruction.a, byte) ? instruction.b : -1
        case .char:
            if byte < 0x80 { return inSet(instruction.a, byte) ? pc &+ 4 : -1 }
            let length = regexUTF8Length(input.bytes, p &- input.base, limit: input.count)
            return pc &+ 5 &- Int32(length)
        case .skip:
            return instruction.b
        case .match:
            return -2
        default:
            return -1
        }
    }
}
