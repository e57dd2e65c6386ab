// Splits a command line into words the way a POSIX shell would, without running a shell.

/// Splits `commandLine` into argv words with POSIX shell quoting rules: whitespace separates
/// words; single quotes keep everything literally; double quotes keep everything but `\` before
/// `$`, `` ` ``, `"`, `\` or a newline; a backslash outside quotes escapes the next character.
/// There is no expansion of variables, globs or `~` (gexpect's `Spawn` behaves the same way).
/// - Throws: `ExpectError.invalidArgument` for an unterminated quote or a trailing backslash.
public func shellSplit(_ commandLine: String) throws(ExpectError) -> [String] {
    var words: [String] = []
    var word = ""
    var inWord = false
    var iterator = commandLine.makeIterator()
    func fail(_ why: String) -> ExpectError {
        .invalidArgument("split command line \(quoted(commandLine)): \(why)")
    }
    while let c = iterator.next() {
        switch c {
        case " ", "\t", "\n":
            if inWord {
                words.append(word)
                word = ""
                inWord = false
            }
        case "'":
            inWord = true
            var closed = false
            while let q = iterator.next() {
                if q == "'" {
                    closed = true
                    break
                }
                word.append(q)
            }
            if !closed { throw fail("unterminated single quote") }
        case "\"":
            inWord = true
            var closed = false
            while let q = iterator.next() {
                if q == "\"" {
                    closed = true
                    break
                }
                if q == "\\" {
                    guard let next = iterator.next() else { break }
                    switch next {
                    case "$", "`", "\"", "\\": word.append(next)
                    case "\n": break
                    default:
                        word.append("\\")
                        word.append(next)
                    }
                    continue
                }
                word.append(q)
            }
            if !closed { throw fail("unterminated double quote") }
        case "\\":
            guard let next = iterator.next() else { throw fail("trailing backslash") }
            if next != "\n" {
                word.append(next)
                inWord = true
            }
        default:
            word.append(c)
            inWord = true
        }
    }
    if inWord { words.append(word) }
    return words
}
