// The capture pass: a Pike VM anchored at a known match start, with full capture slots. It runs
// only over the match the scanning pass found, so its extra cost per thread does not matter.

struct RegexCapturePass {
    let program: RegexProgram
    let input: RegexInput
    let slotCount: Int
    let size: Int
    /// Two thread lists: pcs, and `slotCount` slots per thread.
    var pcs: (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>)
    var slots: (UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>)
    var counts = (0, 0)
    var capacities: (Int, Int)
    var marks: RegexMarks
    /// Closure stack: (pc, 0) explores pc; (-1 - slot, value) restores a slot on the way back.
    let stack: UnsafeMutablePointer<(Int32, Int)>
    /// The slots of the path being explored.
    let scratch: UnsafeMutablePointer<Int>

    init(program: RegexProgram, input: RegexInput) {
        self.program = program
        self.input = input
        slotCount = program.slotCount
        size = program.instructions.count
        // Lists start small and grow: most positions have a handful of threads, and a list of
        // `size` threads with every slot could be large for patterns with many groups.
        let initial = Swift.min(size, 16)
        capacities = (initial, initial)
        pcs = (.allocate(capacity: initial), .allocate(capacity: initial))
        slots = (.allocate(capacity: initial * slotCount), .allocate(capacity: initial * slotCount))
        marks = RegexMarks(size: size)
        stack = .allocate(capacity: 3 * size + 2)
        scratch = .allocate(capacity: slotCount)
    }

    func deallocate() {
        pcs.0.deallocate()
        pcs.1.deallocate()
        slots.0.deallocate()
        slots.1.deallocate()
        marks.marks.deallocate()
        stack.deallocate()
        scratch.deallocate()
    }

    /// Adds the closure of `pc` at `p` to list `pcs.1`/`slots.1`, starting from the slots in
    /// `scratch` (which are restored before returning). Undecidable assertions count as failing:
    /// the scanning pass did not follow them either.
    mutating func add(_ pc: Int32, at p: Int, generation: UInt32) {
        stack[0] = (pc, 0)
        var top = 1
        while top > 0 {
            top -= 1
            let (pc, value) = stack[top]
            if pc < 0 {
                scratch[Int(-1 - pc)] = value
                continue
            }
            if marks.marks[Int(pc)] == generation { continue }
            marks.marks[Int(pc)] = generation
            let instruction = program.code[Int(pc)]
            switch instruction.op {
            case .split:
                stack[top] = (instruction.b, 0)
                stack[top + 1] = (instruction.a, 0)
                top += 2
            case .jump:
                stack[top] = (instruction.b, 0)
                top += 1
            case .save:
                let slot = Int(instruction.a)
                stack[top] = (-1 - instruction.a, scratch[slot])
                stack[top + 1] = (instruction.b, 0)
                top += 2
                scratch[slot] = p
            case .assert:
                if input.check(instruction.a, at: p) > 0 {
                    stack[top] = (instruction.b, 0)
                    top += 1
                }
            default:
                let index = counts.1
                if index == capacities.1 { growListBeingBuilt() }
                pcs.1[index] = pc
                (slots.1 + index * slotCount).update(from: scratch, count: slotCount)
                counts.1 = index + 1
            }
        }
    }

    /// Doubles the capacity of the list being built (index 1), keeping its threads.
    mutating func growListBeingBuilt() {
        let capacity = Swift.min(size, 2 * capacities.1)
        let newPCs = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        let newSlots = UnsafeMutablePointer<Int>.allocate(capacity: capacity * slotCount)
        newPCs.update(from: pcs.1, count: counts.1)
        newSlots.update(from: slots.1, count: counts.1 * slotCount)
        pcs.1.deallocate()
        slots.1.deallocate()
        pcs.1 = newPCs
        slots.1 = newSlots
        capacities.1 = capacity
    }

    /// Makes the list just built (index 1) the current one (index 0).
    mutating func swapLists() {
        swap(&pcs.0, &pcs.1)
        swap(&slots.0, &slots.1)
        swap(&capacities.0, &capacities.1)
        counts = (counts.1, 0)
    }

    /// The slots of the leftmost-first match starting at `start`, with the scanning pass's
    /// eager rule: the last match found before the higher-priority threads die out or the known
    /// data ends. Nil if there is none.
    mutating func run(from start: Int) -> [Int]? {
        // Only the stepper's transitions are used here; its closure stack is not.
        let unusedStack = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        defer { unusedStack.deallocate() }
        let stepper = RegexStepper(
            code: program.code, setBits: program.setBits, marks: marks.marks, stack: unusedStack, input: input)
        scratch.initialize(repeating: -1, count: slotCount)
        var best: [Int]?
        counts = (0, 0)
        add(0, at: start, generation: marks.fresh())
        swapLists()
        var p = start
        while counts.0 > 0 {
            if p >= input.limit {
                for i in 0..<counts.0 where program.code[Int(pcs.0[i])].op == .match {
                    best = Array(UnsafeBufferPointer(start: slots.0 + i * slotCount, count: slotCount))
                    break
                }
                break
            }
            let byte = input.bytes[p - input.base]
            let generation = marks.fresh()
            for i in 0..<counts.0 {
                let target = stepper.transition(pcs.0[i], byte, at: p)
                if target >= 0 {
                    scratch.update(from: slots.0 + i * slotCount, count: slotCount)
                    add(target, at: p + 1, generation: generation)
                } else if target == -2 {
                    best = Array(UnsafeBufferPointer(start: slots.0 + i * slotCount, count: slotCount))
                    break
                }
            }
            swapLists()
            p += 1
        }
        return best
    }
}

extension ByteRegex {
    /// Capture groups of the match that a `RegexScanner` reported starting at absolute `start`,
    /// recomputed on the same window with full captures (same eager rule, so the same end).
    /// Element 0 is the whole match, element i group i (nil if it did not participate). If no
    /// match starts at `start`, every element is nil.
    func captures(_ window: UnsafeRawBufferPointer, base: Int, previous: UInt8?, isFinal: Bool, start: Int)
        -> [Range<Int>?]
    {
        let input = RegexInput(window, base: base, previous: previous, isFinal: isFinal, program: program)
        var groups = [Range<Int>?](repeating: nil, count: groupCount + 1)
        guard start >= base, start <= input.limit else { return groups }
        var pass = RegexCapturePass(program: program, input: input)
        defer { pass.deallocate() }
        guard let slots = pass.run(from: start) else { return groups }
        for group in 0...groupCount {
            let (low, high) = (slots[2 * group], slots[2 * group + 1])
            if low >= 0 && high >= low { groups[group] = low..<high }
        }
        return groups
    }
}
