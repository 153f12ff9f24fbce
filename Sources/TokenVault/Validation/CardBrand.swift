/// A card scheme, recognised from the number's prefix (the IIN ranges the schemes publish).
///
/// The ranges live in one table, `CardBrand.iinRanges` (`CardBrand+IINRanges.swift`); the
/// longest matching prefix wins, so a scheme's narrow range inside another's broad one
/// (Elo's `650031–650033` inside Discover's `65`) goes to the narrow one.
public enum CardBrand: String, Sendable, CaseIterable, Codable {
    case visa, mastercard, amex, discover, diners, jcb, unionpay, maestro
    case mir, rupay, elo, troy, verve
    case unknown

    /// The brand of a card number given as digit values (0–9). Unknown is not an error.
    public static func detect(_ digits: some Collection<UInt8>) -> CardBrand {
        // The first (up to) 8 digits as one integer; a row's prefix of n digits is a division.
        var value = 0, count = 0
        for d in digits.prefix(IINRange.maximumDigits) {
            value = value * 10 + Int(d)
            count += 1
        }
        for range in IINRange.longestFirst where range.digits <= count {
            let prefix = value / IINRange.powersOfTen[count - range.digits]
            if prefix >= range.low && prefix <= range.high { return range.brand }
        }
        return .unknown
    }
}
