/// The encoding of an instrument's secret fields before sealing: a version byte, then
/// tag–length–value fields. Compact, and free of separators a name could contain.
///
/// New fields are new tags under the same version: `decode` skips tags it does not know, so
/// records sealed by the first release open unchanged (their new fields are simply absent), and
/// a first-release reader opens newer records, ignoring what it does not know.
enum SealedPayload {
    static let version: UInt8 = 1

    enum Tag: UInt8, CaseIterable, Sendable {
        case cardNumber = 1, expiry = 2, holderName = 3, issueNumber = 4
        /// Network tokens and scheme references (second release): the token's digits, its expiry
        /// as `YYYYMM`, and the scheme references as given.
        case networkToken = 5, networkTokenExpiry = 6, tokenRequestorID = 7, paymentAccountReference = 8
        case networkTransactionID = 9
        case iban = 10, countryCode = 11, bankCode = 12, branchCode = 13, accountNumber = 14
        case checkDigit = 15
    }

    /// Appends one field (at most 65,535 bytes), starting the payload when it is empty.
    static func append(_ tag: Tag, _ value: some Collection<UInt8>, to payload: inout [UInt8]) {
        if payload.isEmpty { payload.append(version) }
        let count = min(value.count, 0xFFFF)
        payload.append(tag.rawValue)
        payload.append(UInt8(count >> 8))
        payload.append(UInt8(count & 0xFF))
        payload.append(contentsOf: value.prefix(count))
    }

    /// Decodes a payload opened from the vault.
    static func decode(_ payload: [UInt8]) throws -> [Tag: String] {
        guard payload.first == version else { throw TokenVaultError(.vaultCorrupt, "a sealed record has an unknown payload version") }
        var fields: [Tag: String] = [:]
        var i = 1
        while i < payload.count {
            guard i + 3 <= payload.count else { throw TokenVaultError(.vaultCorrupt, "a sealed record is truncated") }
            let tag = payload[i]
            let count = Int(payload[i + 1]) << 8 | Int(payload[i + 2])
            i += 3
            guard i + count <= payload.count else { throw TokenVaultError(.vaultCorrupt, "a sealed record is truncated") }
            if let known = Tag(rawValue: tag) {
                fields[known] = String(decoding: payload[i..<(i + count)], as: UTF8.self)
            }
            i += count
        }
        return fields
    }
}
