/// Reading a stored payload without a dictionary per row, and merging a row's replaceable
/// fields into it (`--on-existing update`, SPEC §10).
extension SealedPayload {
    /// The fields `--on-existing update` takes from the row: a reissued card keeps its number,
    /// and its expiry and holder name follow the new plastic.
    static let updatableTags: [Tag] = [.expiry, .holderName]

    /// Each field's raw tag and value range, in stored order (unknown tags included).
    static func fields(_ payload: [UInt8]) throws -> [(tag: UInt8, value: Range<Int>)] {
        guard payload.first == version else { throw TokenVaultError(.vaultCorrupt, "a sealed record has an unknown payload version") }
        var out: [(tag: UInt8, value: Range<Int>)] = []
        var i = 1
        while i < payload.count {
            guard i + 3 <= payload.count else { throw TokenVaultError(.vaultCorrupt, "a sealed record is truncated") }
            let count = Int(payload[i + 1]) << 8 | Int(payload[i + 2])
            guard i + 3 + count <= payload.count else { throw TokenVaultError(.vaultCorrupt, "a sealed record is truncated") }
            out.append((payload[i], (i + 3)..<(i + 3 + count)))
            i += 3 + count
        }
        return out
    }

    /// What a result row shows of a stored card: its expiry and whether it carries a network token.
    static func shownCardFields(_ payload: [UInt8]) throws -> (expiry: YearMonth?, hasNetworkToken: Bool) {
        var expiry: YearMonth?
        var hasNetworkToken = false
        for field in try fields(payload) {
            if field.tag == Tag.networkToken.rawValue { hasNetworkToken = true }
            guard field.tag == Tag.expiry.rawValue, field.value.count == 6 else { continue }
            let digits = payload[field.value].map { Int($0) - 0x30 }
            guard digits.allSatisfy({ (0...9).contains($0) }) else { continue }
            expiry = YearMonth(year: digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3], month: digits[4] * 10 + digits[5])
        }
        return (expiry, hasNetworkToken)
    }

    /// `stored` with the values of `updatableTags` taken from `row` where the row has them, the
    /// other fields (the number, network token, unknown tags) kept as stored; nil when the row's
    /// values equal the stored ones, so an unchanged record is not rewritten.
    static func updated(_ stored: [UInt8], from row: [UInt8]) throws -> [UInt8]? {
        let storedFields = try fields(stored)
        let rowFields = try fields(row)
        func rowValue(_ tag: UInt8) -> ArraySlice<UInt8>? {
            rowFields.first { $0.tag == tag }.map { row[$0.value] }
        }
        var changed = false
        for tag in updatableTags {
            guard let value = rowValue(tag.rawValue) else { continue }
            let current = storedFields.first { $0.tag == tag.rawValue }.map { stored[$0.value] }
            if current.map({ !$0.elementsEqual(value) }) ?? true { changed = true }
        }
        guard changed else { return nil }
        var merged: [UInt8] = [version]
        merged.reserveCapacity(stored.count + 64)
        func append(_ tag: UInt8, _ value: ArraySlice<UInt8>) {
            merged.append(tag)
            merged.append(UInt8(value.count >> 8))
            merged.append(UInt8(value.count & 0xFF))
            merged.append(contentsOf: value)
        }
        let replaced = Set(updatableTags.map(\.rawValue))
        for field in storedFields {
            if replaced.contains(field.tag), let value = rowValue(field.tag) {
                append(field.tag, value)
            } else {
                append(field.tag, stored[field.value])
            }
        }
        for tag in updatableTags where !storedFields.contains(where: { $0.tag == tag.rawValue }) {
            if let value = rowValue(tag.rawValue) { append(tag.rawValue, value) }
        }
        return merged
    }
}
