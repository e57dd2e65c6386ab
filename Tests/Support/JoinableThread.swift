// A thread that can be joined: the test servers must be fully stopped when a test ends.
#if canImport(Glibc)
import Glibc
#endif
import SkiffSystem

/// A pthread running one closure, joined explicitly (Foundation's Thread cannot be joined).
/// Sendable so a server can keep its threads in a Mutex; only the owner calls join.
public final class JoinableThread: @unchecked Sendable {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    private let thread: pthread_t
    private var joined = false

    /// Starts `body` on a new thread.
    public init(_ body: @escaping () -> Void) throws {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                Unmanaged<Box>.fromOpaque(raw).takeRetainedValue().body()
                return nil
            }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw SkiffError.system("pthread_create", errno: rc)
        }
        self.thread = thread
    }

    /// Waits for the closure to return (once; later calls return at once).
    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }
}
