/// Checks shared by the free-text fields of both kinds (reference, names, alias).
enum FreeText {
    /// The number of characters (extended grapheme clusters) of a value, as length rules count.
    static func length(_ bytes: ArraySlice<UInt8>) -> Int {
        if !bytes.contains(where: { $0 >= 0x80 }) { return bytes.count }
        return String(decoding: bytes, as: UTF8.self).count
    }

    /// True when the value holds a control character (a line break in a name, say).
    static func hasControlCharacter(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.contains { $0 < 0x20 || $0 == 0x7F }
    }

    /// True when the letters and digits of `value`, ignoring everything else and case, contain
    /// `number` (ASCII digits or upper-case letters): `4111-1111 1111 1111` contains `4111111111111111`.
    static func contains(_ value: ArraySlice<UInt8>, number: [UInt8]) -> Bool {
        guard !number.isEmpty, value.count >= number.count else { return false }
        var kept: [UInt8] = []
        kept.reserveCapacity(value.count)
        for b in value {
            if (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) { kept.append(b) }
            else if b >= 0x61 && b <= 0x7A { kept.append(b - 0x20) }
        }
        guard kept.count >= number.count else { return false }
        for start in 0...(kept.count - number.count) where kept[start] == number[0] {
            if kept[start..<(start + number.count)].elementsEqual(number) { return true }
        }
        return false
    }

    /// Checks the optional `reference` of either kind: length, and not holding the number.
    static func checkReference(_ fields: RowFields, number: [UInt8], issues: inout [RowIssue]) {
        guard let reference = fields.bytes(.reference) else { return }
        if length(reference) > 64 {
            issues.append(RowIssue(.invalidLength, .reference, "reference must be at most 64 characters"))
        }
        if contains(reference, number: number) {
            issues.append(RowIssue(.sensitiveDataInField, .reference, "reference must not contain the account or card number"))
        }
    }
}
