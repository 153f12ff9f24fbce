/// Header names and JSON keys made fit for a log line.
///
/// They come from the input and are hostile: a file with CR-only line ends makes the whole file
/// its header (every card number a "column name"), and a name holding a line break or an escape
/// sequence forges log lines. So a name is shown only when it cannot carry a number: with more
/// than `maxDigits` digits (any script's decimal digits, however separated) it is withheld;
/// control and format characters become `?`; it is cut at `maxCharacters`.
public enum UntrustedText {
    /// More digits than this in one name and it is withheld: no 12-digit run can survive.
    public static let maxDigits = 4
    public static let maxCharacters = 32

    /// One name as it may be logged, quoted.
    public static func name(_ name: String) -> String {
        var digits = 0
        var out = ""
        var count = 0
        for scalar in name.unicodeScalars {
            if scalar.properties.numericType == .decimal {
                digits += 1
                if digits > maxDigits { return "(a name holding digits, withheld)" }
            }
            if count < maxCharacters {
                let unsafe =
                    scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
                    || scalar.properties.generalCategory == .lineSeparator || scalar.properties.generalCategory == .paragraphSeparator
                    || scalar == "\"" || scalar == "\\"
                out.unicodeScalars.append(unsafe ? "?" : scalar)
            }
            count += 1
        }
        return "\"" + out + (count > maxCharacters ? "…" : "") + "\""
    }

    /// Up to `limit` names, then how many more: `"foo", "bar" and 3 more`.
    public static func names(_ names: [String], limit: Int = 10) -> String {
        let shown = names.prefix(limit).map(name).joined(separator: ", ")
        return names.count > limit ? "\(shown) and \(names.count - limit) more" : shown
    }
}
