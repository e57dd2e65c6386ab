// The init's debug lines without string formatting: Swift's string interpolation would make the
// init touch (and map) much of the standard library's code, and the init's peak RSS is what a
// pod costs. A line is static text, an app's name and a number, written from a stack buffer.
#if canImport(Glibc)
import Glibc
#endif

/// Debug lines of the pod's init: `skiff stage1 (container): debug: [app "NAME": ]TEXT[NUMBER]`.
struct InitLog {
    /// Whether anything is written (`--debug`).
    let debugging: Bool

    /// Writes one line to stderr when debugging.
    func debug(_ text: StaticString, app: AppPlan? = nil, number: Int32? = nil) {
        guard debugging else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512) { buffer in
            guard let base = buffer.baseAddress else { return }
            var line = LineBuffer(base: base, capacity: buffer.count - 1)
            line.append("skiff stage1 (container): debug: ")
            if let app {
                line.append("app \"")
                line.append(app.nameC.pointer)
                line.append("\": ")
            }
            line.append(text)
            if let number { line.append(number) }
            base[line.count] = UInt8(ascii: "\n")
            _ = write(2, base, line.count + 1)
        }
    }
}

/// Appends bytes to a fixed buffer, dropping what does not fit.
private struct LineBuffer {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    var count = 0

    mutating func append(_ byte: UInt8) {
        guard count < capacity else { return }
        base[count] = byte
        count += 1
    }

    mutating func append(_ text: StaticString) {
        let start = text.utf8Start
        for index in 0..<text.utf8CodeUnitCount { append(start[index]) }
    }

    mutating func append(_ text: UnsafePointer<CChar>) {
        var index = 0
        while text[index] != 0 {
            append(UInt8(bitPattern: text[index]))
            index += 1
        }
    }

    mutating func append(_ number: Int32) {
        var value = Int64(number)
        if value < 0 {
            append(UInt8(ascii: "-"))
            value = -value
        }
        var divisor: Int64 = 1
        while divisor * 10 <= value { divisor *= 10 }
        while divisor > 0 {
            append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}
