// Syntax tree to Pike VM program (Thompson construction with prioritized splits).

struct RegexCompiler {
    /// Programs larger than this are rejected ("pattern too large").
    static let maxInstructions = 50_000

    let pattern: String
    private var instructions: [RegexInstruction] = []
    private var sets: [RegexByteSet] = []
    private var setNumbers: [RegexByteSet: Int32] = [:]

    init(pattern: String) {
        self.pattern = pattern
    }

    /// Compiles `node` as `save 0; node; save 1; match`.
    static func compile(_ node: RegexNode, pattern: String, groupCount: Int, groupNames: [String: Int])
        throws(RegexSyntaxError) -> RegexProgram
    {
        var compiler = RegexCompiler(pattern: pattern)
        try compiler.emitSave(0)
        try compiler.emit(node)
        try compiler.emitSave(1)
        try compiler.append(RegexInstruction(op: .match, a: 0, b: 0))
        return RegexProgram(
            instructions: compiler.instructions, sets: compiler.sets, groupCount: groupCount, groupNames: groupNames)
    }

    private var nextPC: Int32 { Int32(instructions.count) }

    @discardableResult
    private mutating func append(_ instruction: RegexInstruction) throws(RegexSyntaxError) -> Int {
        guard instructions.count < Self.maxInstructions else {
            throw RegexSyntaxError(
                pattern: pattern, offset: 0,
                reason: "pattern too large (over \(Self.maxInstructions) instructions compiled)")
        }
        instructions.append(instruction)
        return instructions.count - 1
    }

    /// An instruction that continues at the next one.
    private mutating func appendLinear(_ op: RegexOp, _ a: Int32) throws(RegexSyntaxError) {
        try append(RegexInstruction(op: op, a: a, b: nextPC + 1))
    }

    private mutating func emitSave(_ slot: Int) throws(RegexSyntaxError) {
        try appendLinear(.save, Int32(slot))
    }

    private mutating func setNumber(_ set: RegexByteSet) -> Int32 {
        if let number = setNumbers[set] { return number }
        let number = Int32(sets.count)
        sets.append(set)
        setNumbers[set] = number
        return number
    }

    /// A split whose targets are filled in later by `patchSplit`.
    private mutating func appendSplitPlaceholder() throws(RegexSyntaxError) -> Int {
        try append(RegexInstruction(op: .split, a: -1, b: -1))
    }

    /// Points a split at `body` and `exit`, preferring the body when greedy.
    private mutating func patchSplit(_ pc: Int, body: Int32, exit: Int32, greedy: Bool) {
        instructions[pc].a = greedy ? body : exit
        instructions[pc].b = greedy ? exit : body
    }

    private mutating func emit(_ node: RegexNode) throws(RegexSyntaxError) {
        switch node {
        case .empty:
            break
        case .literal(let bytes):
            for byte in bytes { try appendLinear(.byte, Int32(byte)) }
        case .byteSet(let set):
            if set.count == 1, let only = set.members.first {
                try appendLinear(.byte, Int32(only))
            } else {
                try appendLinear(.set, setNumber(set))
            }
        case .character(let set):
            try append(RegexInstruction(op: .char, a: setNumber(set.asciiPart), b: 0))
            for _ in 0..<3 { try appendLinear(.skip, 0) }
        case .concat(let items):
            for item in items { try emit(item) }
        case .alternation(let items):
            var jumps: [Int] = []
            for (position, item) in items.enumerated() {
                if position == items.count - 1 {
                    try emit(item)
                } else {
                    let split = try appendSplitPlaceholder()
                    try emit(item)
                    jumps.append(try append(RegexInstruction(op: .jump, a: 0, b: -1)))
                    patchSplit(split, body: Int32(split + 1), exit: nextPC, greedy: true)
                }
            }
            for jump in jumps { instructions[jump].b = nextPC }
        case .group(let body, let capture):
            if let capture { try emitSave(2 * capture) }
            try emit(body)
            if let capture { try emitSave(2 * capture + 1) }
        case .repetition(let body, let min, let max, let greedy):
            try emitRepetition(body, min: min, max: max, greedy: greedy)
        case .assertion(let assertion):
            try appendLinear(.assert, assertion.rawValue)
        }
    }

    private mutating func emitRepetition(_ body: RegexNode, min: Int, max: Int?, greedy: Bool)
        throws(RegexSyntaxError)
    {
        guard let max else {
            if min == 0 {
                // loop: split body, exit; body; jump loop
                let split = try appendSplitPlaceholder()
                try emit(body)
                try append(RegexInstruction(op: .jump, a: 0, b: Int32(split)))
                patchSplit(split, body: Int32(split + 1), exit: nextPC, greedy: greedy)
            } else {
                // min-1 copies, then: loop: body; split loop, exit
                for _ in 0..<(min - 1) { try emit(body) }
                let loop = nextPC
                try emit(body)
                let split = try appendSplitPlaceholder()
                patchSplit(split, body: loop, exit: nextPC, greedy: greedy)
            }
            return
        }
        for _ in 0..<min { try emit(body) }
        // Optional copies, nested: skipping one skips the rest.
        var splits: [Int] = []
        for _ in 0..<(max - min) {
            splits.append(try appendSplitPlaceholder())
            try emit(body)
        }
        for split in splits { patchSplit(split, body: Int32(split + 1), exit: nextPC, greedy: greedy) }
    }
}
