/// The CSV field delimiter as the user writes it, on the command line or in a job file: the one
/// parser for `--delimiter` (`tokenize`, `verify`) and a job's `delimiter`.
public enum CSVDelimiter {
    /// Parses one ASCII character, or `tab` (also `\t`).
    ///
    /// - Throws: `usage` for anything else, a quote or a line break (they would make every record ambiguous).
    public static func parse(_ text: String) throws -> UInt8 {
        if text == "tab" || text == "\\t" || text == "\t" { return 0x09 }
        guard text.utf8.count == 1, let byte = text.utf8.first, byte < 0x80, byte >= 0x20 || byte == 0x09,
            byte != UInt8(ascii: "\""), byte != 0x7F
        else {
            throw TokenVaultError(.usage, "the delimiter must be one printable ASCII character other than a quote, or 'tab'")
        }
        return byte
    }
}
