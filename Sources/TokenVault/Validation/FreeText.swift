/// Checks shared by the free-text fields of both kinds (reference, names, alias).
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

    /// Checks the optional `reference` of either kind: length, and not holding the number.
    static func checkReference(_ fields: RowFields, number: [UInt8], issues: inout [RowIssue]) {
        guard let reference = fields.bytes(.reference) else { return }
        if !lengthIsWithin(reference, max: 64) {
            issues.append(RowIssue(.invalidLength, .reference, "reference must be at most 64 characters"))
        }
        if contains(reference, number: number) {
            issues.append(RowIssue(.sensitiveDataInField, .reference, "reference must not contain the account or card number"))
        }
    }
}
