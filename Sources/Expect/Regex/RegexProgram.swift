// The compiled form of a regex: instructions for the Pike VM, plus what the prefilter needs.

/// Operation codes. Consuming instructions (`byte`, `set`, `char`, `skip`) step over input; the
/// rest are followed while computing a thread's epsilon closure.
enum RegexOp: UInt8, Sendable {
    /// Consumes the byte `a`; continues at `b`.
    case byte
    /// Consumes a byte in set number `a`; continues at `b`.
    case set
    /// Consumes one character (see `RegexNode.character`): an ASCII byte in set `a`, or a whole
    /// valid UTF-8 sequence / one invalid byte. Always followed by three `skip`s; a character of
    /// n bytes continues at pc + 5 - n, so its remaining bytes pass through the skips.
    case char
    /// Consumes any byte (the continuation bytes of a `char`); continues at `b`.
    case skip
    /// Continues at `a` (preferred) and at `b`.
    case split
    /// Continues at `b`.
    case jump
    /// Records the position in capture slot `a`; continues at `b`.
    case save
    /// Continues at `b` if assertion `a` (a `RegexAssertion` raw value) holds.
    case assert
    /// A match.
    case match
}

struct RegexInstruction: Sendable {
    var op: RegexOp
    var a: Int32
    var b: Int32
}

/// How the scanner skips ahead when no thread is alive.
enum RegexPrefilter: Sendable {
    /// Every position must be stepped (the pattern can match empty, or start with any byte).
    case none
    /// Every match starts with these bytes (two or more): find them with memmem.
    case literal([UInt8])
    /// Every match starts with this byte: find it with memchr.
    case byte(UInt8)
    /// Every match starts with a byte in this 256-entry table.
    case table([Bool])
}

/// An immutable compiled program, shared by every scanner of one regex. `@unchecked Sendable`:
/// the raw copies for the VM's hot loops are written once in `init` and only read afterwards.
final class RegexProgram: @unchecked Sendable {
    let instructions: [RegexInstruction]
    /// Byte sets, four 64-bit words each; set n is words 4n..<4n+4.
    let setWords: [UInt64]
    let groupCount: Int
    let groupNames: [String: Int]
    /// 2 * (groupCount + 1): start and end of each group, group 0 being the whole match.
    var slotCount: Int { 2 * (groupCount + 1) }
    let prefilter: RegexPrefilter
    /// For patterns that cannot match empty: which bytes can start a match.
    let firstBytes: [Bool]?
    /// True when every match must start at stream position 0 (`\A` first).
    let anchoredAtStart: Bool
    /// True when the program has `char` instructions, whose decision can need bytes that have
    /// not arrived yet (an incomplete UTF-8 sequence at the end of a non-final window).
    let usesUTF8: Bool
    /// Raw copies of `instructions` and `setWords` for the VM's hot loops.
    let code: UnsafeMutablePointer<RegexInstruction>
    let setBits: UnsafeMutablePointer<UInt64>
    /// `firstBytes` as a raw table, nil when the pattern can match empty.
    let startTable: UnsafeMutablePointer<Bool>?

    init(instructions: [RegexInstruction], sets: [RegexByteSet], groupCount: Int, groupNames: [String: Int]) {
        self.instructions = instructions
        self.setWords = sets.flatMap { [$0.w0, $0.w1, $0.w2, $0.w3] }
        self.groupCount = groupCount
        self.groupNames = groupNames
        self.usesUTF8 = instructions.contains { $0.op == .char }
        code = .allocate(capacity: instructions.count)
        code.initialize(from: instructions, count: instructions.count)
        setBits = .allocate(capacity: Swift.max(setWords.count, 4))
        setBits.initialize(repeating: 0, count: Swift.max(setWords.count, 4))
        setBits.update(from: self.setWords, count: self.setWords.count)

        var pc = 0
        while instructions[pc].op == .save { pc = Int(instructions[pc].b) }
        self.anchoredAtStart =
            instructions[pc].op == .assert && instructions[pc].a == RegexAssertion.textStart.rawValue

        let (first, nullable) = Self.firstByteSet(instructions, sets)
        let firstBytes = nullable ? nil : (0..<256).map { first.contains(UInt8($0)) }
        self.firstBytes = firstBytes
        if let firstBytes {
            let table = UnsafeMutablePointer<Bool>.allocate(capacity: 256)
            table.initialize(from: firstBytes, count: 256)
            startTable = table
        } else {
            startTable = nil
        }
        let prefix = Self.literalPrefix(instructions)
        if nullable || first.count == 256 {
            prefilter = .none
        } else if prefix.count >= 2 {
            prefilter = .literal(prefix)
        } else if first.count == 1, let only = first.members.first {
            prefilter = .byte(only)
        } else {
            prefilter = .table((0..<256).map { first.contains(UInt8($0)) })
        }
    }

    deinit {
        code.deallocate()
        setBits.deallocate()
        startTable?.deallocate()
    }

    /// The bytes every match starts with, following the single path from the start through
    /// saves, jumps and assertions (which consume nothing).
    static func literalPrefix(_ instructions: [RegexInstruction]) -> [UInt8] {
        var prefix: [UInt8] = []
        var pc = 0
        while prefix.count < 255 {
            let instruction = instructions[pc]
            switch instruction.op {
            case .save, .jump, .assert: pc = Int(instruction.b)
            case .byte:
                prefix.append(UInt8(truncatingIfNeeded: instruction.a))
                pc = Int(instruction.b)
            default: return prefix
            }
        }
        return prefix
    }

    /// The bytes a match can start with, and whether the pattern can match empty. Assertions
    /// are assumed to hold (the set is a superset, which is what a prefilter needs).
    static func firstByteSet(_ instructions: [RegexInstruction], _ sets: [RegexByteSet]) -> (RegexByteSet, Bool) {
        var first = RegexByteSet()
        var nullable = false
        var visited = [Bool](repeating: false, count: instructions.count)
        var stack = [0]
        while let pc = stack.popLast() {
            if visited[pc] { continue }
            visited[pc] = true
            let instruction = instructions[pc]
            switch instruction.op {
            case .byte: first.insert(UInt8(truncatingIfNeeded: instruction.a))
            case .set: first.formUnion(sets[Int(instruction.a)])
            case .char:
                first.formUnion(sets[Int(instruction.a)].asciiPart)
                first.formUnion(RegexByteSet(range: 0x80...0xFF))
            case .skip: first = .all
            case .split:
                stack.append(Int(instruction.b))
                stack.append(Int(instruction.a))
            case .jump, .save, .assert: stack.append(Int(instruction.b))
            case .match: nullable = true
            }
        }
        return (first, nullable)
    }
}
