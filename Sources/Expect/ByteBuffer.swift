// The session's receive buffer: unconsumed output, addressed by absolute stream positions.
#if canImport(Glibc)
import Glibc
#endif

/// A growable byte buffer that is appended at the end and consumed at the front. Positions are
/// absolute in the stream (0 = the first byte the child ever printed), so pattern scanners can
/// keep their progress across reads and consumptions. Consuming never moves memory at once:
/// the live bytes are compacted only when the free space at the front outweighs them, which keeps
/// the total copying linear in the stream length.
final class ByteBuffer {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private var head = 0  // offset of the first unconsumed byte
    private var tail = 0  // offset one past the last byte
    /// Absolute stream position of the first unconsumed byte.
    private(set) var base = 0
    /// The last consumed byte (context for `^` and `\b` at the buffer start), nil at stream start.
    private(set) var previous: UInt8?

    init(capacity: Int = 1 << 17) {
        self.capacity = capacity
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    /// Unconsumed bytes.
    var count: Int { tail - head }
    /// Absolute position one past the last byte.
    var end: Int { base + count }

    /// The unconsumed bytes, valid until the next mutation.
    var window: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + head, count: tail - head)
    }

    /// Space for at least `minimum` more bytes at the end; write into it, then `commit`.
    func writableSpace(minimum: Int) -> UnsafeMutableRawBufferPointer {
        if capacity - tail < minimum {
            if head > 0 && head >= count && capacity - count >= minimum {
                storage.copyMemory(from: storage + head, byteCount: count)  // compact in place
            } else {
                var newCapacity = capacity * 2
                while newCapacity - count < minimum { newCapacity *= 2 }
                let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                grown.copyMemory(from: storage + head, byteCount: count)
                storage.deallocate()
                storage = grown
                capacity = newCapacity
            }
            tail = count
            head = 0
        }
        return UnsafeMutableRawBufferPointer(start: storage + tail, count: capacity - tail)
    }

    /// Marks `count` bytes written into `writableSpace` as received.
    func commit(_ count: Int) {
        precondition(count >= 0 && tail + count <= capacity)
        tail += count
    }

    /// Appends bytes.
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0, let source = bytes.baseAddress else { return }
        let space = writableSpace(minimum: bytes.count)
        space.baseAddress?.copyMemory(from: source, byteCount: bytes.count)
        commit(bytes.count)
    }

    /// The bytes between two absolute positions (both within the buffer).
    func bytes(from start: Int, to stop: Int) -> [UInt8] {
        precondition(start >= base && start <= stop && stop <= end)
        return Array(UnsafeRawBufferPointer(start: storage + head + (start - base), count: stop - start))
    }

    /// Drops everything before absolute position `position`.
    func consume(upTo position: Int) {
        precondition(position >= base && position <= end)
        guard position > base else { return }
        let n = position - base
        previous = (storage + head + n - 1).load(as: UInt8.self)
        head += n
        base = position
        if head == tail {  // empty: restart at the front for free
            head = 0
            tail = 0
        }
    }
}
