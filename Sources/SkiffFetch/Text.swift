// Small string helpers FoundationEssentials lacks (trimmingCharacters lives in full Foundation).

extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs, line breaks).
    func trimmed() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }

    /// The text without surrounding double quotes, if it has both.
    func unquoted() -> String {
        if count >= 2 && hasPrefix("\"") && hasSuffix("\"") { return String(dropFirst().dropLast()) }
        return String(self)
    }
}
