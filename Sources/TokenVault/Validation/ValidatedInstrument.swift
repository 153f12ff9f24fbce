/// What validation of one row hands on to the vault, for either kind.
///
/// The secret parts live in the worker's reused buffers (`RowScratch`) and are sealed before
/// the row leaves the worker; only this clear, non-sensitive description travels further.
public struct InstrumentDisplay: Sendable, Equatable {
    /// The characters left visible at the start of the masked alias: a card's BIN (6),
    /// an IBAN's country and check digits (4), nothing for a plain account number.
    public let visiblePrefix: String
    /// The last characters of the number (4, fewer for very short account numbers).
    public let last4: String
    public let numberLength: Int
    /// The caller's alias, when given and valid; otherwise the masked number is the alias.
    public let customAlias: String?
    /// Card brand (`visa`) or bank country (`DE`).
    public let brandOrCountry: String
    /// The bank code of an account (sort code, routing number, the IBAN's bank identifier).
    public let bankCode: String
    /// The card's expiry month.
    public let expiry: YearMonth?
    /// Clear, non-secret metadata kept beside the token (merchant customer id, mandate), as JSON.
    public let metadata: String?
    /// The row carried a network token (sealed with the card); results show only this flag.
    public let hasNetworkToken: Bool

    /// The masked number: all but the visible prefix and the last characters become `*`, built
    /// in one allocation (it is made for every valid row).
    static func masked(prefix: String, last4: String, length: Int) -> String {
        let stars = max(0, length - prefix.utf8.count - last4.utf8.count)
        return String(unsafeUninitializedCapacity: prefix.utf8.count + stars + last4.utf8.count) { buffer in
            var i = 0
            for b in prefix.utf8 { buffer[i] = b; i += 1 }
            for _ in 0..<stars { buffer[i] = UInt8(ascii: "*"); i += 1 }
            for b in last4.utf8 { buffer[i] = b; i += 1 }
            return i
        }
    }

    /// The alias shown in results and stored in clear: the caller's, or the masked number.
    public let alias: String

    public init(
        visiblePrefix: String, last4: String, numberLength: Int, customAlias: String?,
        brandOrCountry: String, bankCode: String, expiry: YearMonth?, metadata: String?,
        hasNetworkToken: Bool = false
    ) {
        self.visiblePrefix = visiblePrefix
        self.last4 = last4
        self.numberLength = numberLength
        self.customAlias = customAlias
        self.brandOrCountry = brandOrCountry
        self.bankCode = bankCode
        self.expiry = expiry
        self.metadata = metadata
        self.hasNetworkToken = hasNetworkToken
        alias = customAlias ?? Self.masked(prefix: visiblePrefix, last4: last4, length: numberLength)
    }
}

/// Reused per-worker buffers for one row's secret material; cleared between rows.
final class RowScratch {
    /// The bytes the dedup fingerprint is computed over, domain-separated by kind.
    var identity: [UInt8] = []
    /// The secret fields, encoded by `SealedPayload`, to be sealed under the data key.
    var payload: [UInt8] = []
    /// The number's digits or characters, for free-text checks.
    var number: [UInt8] = []
    /// A card row's network token digits: held to the same no-leak rule as `number`.
    var networkToken: [UInt8] = []

    init() {
        identity.reserveCapacity(64)
        payload.reserveCapacity(256)
        number.reserveCapacity(40)
        networkToken.reserveCapacity(24)
    }

    func reset() {
        identity.removeAll(keepingCapacity: true)
        payload.removeAll(keepingCapacity: true)
        number.removeAll(keepingCapacity: true)
        networkToken.removeAll(keepingCapacity: true)
    }

    /// Overwrites the buffers' capacity with zeros, so no number lingers after a batch.
    func wipe() {
        for buffer in [\RowScratch.identity, \RowScratch.payload, \RowScratch.number, \RowScratch.networkToken] {
            let capacity = self[keyPath: buffer].capacity
            self[keyPath: buffer].removeAll(keepingCapacity: true)
            self[keyPath: buffer].append(contentsOf: repeatElement(0, count: capacity))
            self[keyPath: buffer].removeAll(keepingCapacity: true)
        }
    }
}

/// Validates rows of one kind; the card and bank-account rules are its two conformers.
protocol InstrumentValidator: Sendable {
    /// Checks every rule on `fields`, appending each problem to `issues`. When the row is
    /// valid, fills `scratch` and returns the clear description; else returns nil.
    func validate(_ fields: RowFields, scratch: RowScratch, issues: inout [RowIssue]) -> InstrumentDisplay?
}
