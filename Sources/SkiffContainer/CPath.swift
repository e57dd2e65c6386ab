// C strings made before the init forks: the init's hot path hands them to system calls without
// converting, allocating or formatting anything (so it touches little code and little memory).
#if canImport(Glibc)
import Glibc
#endif

/// A NUL-terminated copy of a string in C memory that lives as long as the process (the run
/// process and the init use these until they exit; nothing frees them).
struct CPath {
    /// The C string.
    let pointer: UnsafePointer<CChar>

    /// Copies `text`.
    init(_ text: String) {
        guard let copy = strdup(text) else { fatalError("out of memory copying \(text.utf8.count) bytes") }
        pointer = UnsafePointer(copy)
    }

    /// The text again (for messages).
    var string: String { String(cString: pointer) }
}
