/// Plain text that fits a terminal: lines wrapped at spaces, words longer than a line broken.
enum TextWrap {
    /// The text report's width (SPEC §12).
    static let width = 100

    /// Wraps `text` to `width` columns, keeping its leading spaces; continuation lines start
    /// with `indent`.
    static func wrap(_ text: String, width: Int = TextWrap.width, indent: String = "") -> [String] {
        // Paths and messages come from outside: no control character reaches the terminal.
        let text = String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
        var lines: [String] = []
        var line = String(text.prefix { $0 == " " })
        var hasWords = false
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let separator = hasWords ? " " : ""
            if line.count + separator.count + word.count <= width {
                line += separator + word
                hasWords = true
                continue
            }
            if hasWords {
                lines.append(line)
                line = indent
            }
            var rest = Substring(word)
            while line.count + rest.count > width {
                let take = max(1, width - line.count)
                lines.append(line + rest.prefix(take))
                rest = rest.dropFirst(take)
                line = indent
            }
            line += rest
            hasWords = true
        }
        if hasWords || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// `cell` padded (or, when longer, cut with `…`) to exactly `width` columns.
    static func cell(_ cell: String, _ width: Int, rightAligned: Bool = false) -> String {
        if cell.count > width { return String(cell.prefix(max(0, width - 1))) + "…" }
        let pad = String(repeating: " ", count: width - cell.count)
        return rightAligned ? pad + cell : cell + pad
    }
}
