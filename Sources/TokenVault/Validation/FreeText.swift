/// Checks shared by the free-text fields of both kinds (reference, names, alias, customer id,
/// mandate fields).
///
/// They run on every row, so none of them allocates in the common case.
enum FreeText {
    /// True when the value has from `min` to `max` characters (extended grapheme clusters).
    /// Counts characters only when the byte count cannot decide.
    static func lengthIsWithin(_ bytes: ArraySlice<UInt8>, min: Int = 0, max: Int) -> Bool {
        // Every character is 1 to many bytes: bytes ≤ max means characters ≤ max.
        if bytes.count <= max && bytes.count >= min * 4 { return true }
        if !bytes.contains(where: { $0 >= 0x80 }) { return bytes.count >= min && bytes.count <= max }
        let count = String(decoding: bytes, as: UTF8.self).count
        return count >= min && count <= max
    }

    /// True when the value holds a control character (a line break in a name, say).
    static func hasControlCharacter(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.contains { $0 < 0x20 || $0 == 0x7F }
    }

    /// True when the letters and digits of `value`, ignoring everything else and case, contain
    /// `number` (ASCII digits or upper-case letters): `4111-1111 1111 1111` contains `4111111111111111`.
    static func contains(_ value: ArraySlice<UInt8>, number: [UInt8]) -> Bool {
        guard let first = number.first, value.count >= number.count else { return false }
        var kept = 0
        for b in value where isAlphanumeric(b) { kept += 1 }
        guard kept >= number.count else { return false }
        var start = value.startIndex
        while start < value.endIndex {
            if upper(value[start]) == first {
                var i = start, k = 0
                while i < value.endIndex && k < number.count {
                    let b = value[i]
                    if isAlphanumeric(b) {
                        if upper(b) != number[k] { break }
                        k += 1
                    }
                    i += 1
                }
                if k == number.count { return true }
            }
            start += 1
        }
        return false
    }

    @inline(__always) private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    @inline(__always) private static func upper(_ b: UInt8) -> UInt8 { b >= 0x61 && b <= 0x7A ? b - 0x20 : b }

    /// Checks the optional `reference` of either kind: length, and not holding a number.
    static func checkReference(_ fields: RowFields, number: [UInt8], what: String = "account or card number", issues: inout [RowIssue]) {
        guard let reference = fields.bytes(.reference) else { return }
        if !lengthIsWithin(reference, max: 64) {
            issues.append(RowIssue(.invalidLength, .reference, "reference must be at most 64 characters"))
        }
        checkSensitive(reference, .reference, number: number, what: what, issues: &issues)
    }

    /// One `SENSITIVE_DATA_IN_FIELD` when a free-text value holds the row's own number (`what`
    /// names it), or any card number at all (`holdsCardNumber`): such a value is never echoed.
    static func checkSensitive(_ value: ArraySlice<UInt8>, _ field: Field, number: [UInt8], what: String, issues: inout [RowIssue]) {
        if contains(value, number: number) {
            issues.append(RowIssue(.sensitiveDataInField, field, "\(field.name) must not contain the \(what)"))
        } else if holdsCardNumber(value) {
            issues.append(RowIssue(.sensitiveDataInField, field, "\(field.name) must not contain a card number"))
        }
    }

    /// True when `value` holds what may be a card number (ISO/IEC 7812): a run of 12 to 19 digits
    /// that passes Luhn, once spaces, dashes and dots between digits are removed and any script's
    /// decimal digits (full-width `４１１１`, Arabic-Indic, …) are read as 0–9. Each separated
    /// group of digits is checked too, so `order 12 4111111111111111` is caught.
    ///
    /// Runs on every free-text value of every row: one pass, no allocation; Luhn sums for both
    /// parities are kept as digits arrive, so the check needs no buffer.
    static func holdsCardNumber(_ value: ArraySlice<UInt8>) -> Bool {
        var run = LuhnRun(), group = LuhnRun()
        var found = false
        func digit(_ d: Int) { run.append(d); group.append(d) }
        func separator() { found = found || group.isCardNumber; group = LuhnRun() }
        func other() { found = found || group.isCardNumber || run.isCardNumber; group = LuhnRun(); run = LuhnRun() }

        if !value.contains(where: { $0 >= 0x80 }) {
            // ASCII, the common case.
            for byte in value {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit(Int(byte &- 0x30))
                case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."): separator()
                default: other()
                }
                if found { return true }
            }
        } else {
            var iterator = value.makeIterator()
            var decoder = UTF8()
            decoding: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar):
                    if scalar.isASCII {
                        let byte = UInt8(scalar.value)
                        switch byte {
                        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit(Int(byte &- 0x30))
                        case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."): separator()
                        default: other()
                        }
                    } else {
                        let properties = scalar.properties
                        if properties.numericType == .decimal, let v = properties.numericValue, v >= 0, v <= 9 {
                            digit(Int(v))
                        } else if properties.isWhitespace || properties.generalCategory == .dashPunctuation
                            || scalar == "\u{FF0E}" || scalar == "\u{3002}" || scalar == "\u{00B7}"
                        {
                            separator()
                        } else {
                            other()
                        }
                    }
                case .emptyInput: break decoding
                case .error: other()
                }
                if found { return true }
            }
        }
        other()
        return found
    }

    /// The Luhn sums of a digit sequence under both parities, so that its validity is known
    /// whatever its final length (the check digit is the last one).
    private struct LuhnRun {
        var count = 0
        /// Sum with the digits at even positions (from the start) doubled, and with odd ones doubled.
        var evenDoubled = 0, oddDoubled = 0

        mutating func append(_ d: Int) {
            let doubled = d < 5 ? d * 2 : d * 2 - 9
            if count & 1 == 0 { evenDoubled += doubled; oddDoubled += d } else { evenDoubled += d; oddDoubled += doubled }
            count += 1
        }

        /// 12–19 digits and Luhn-valid: the last digit is never doubled, so the positions of the
        /// other parity than the last's are.
        var isCardNumber: Bool {
            guard count >= 12 && count <= 19 else { return false }
            return ((count - 1) & 1 == 0 ? oddDoubled : evenDoubled) % 10 == 0
        }
    }
}
