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
        // The number's first 1…8 digits as integers; -1 where the number is shorter.
        var prefixes = (0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &prefixes) { raw in
            let values = raw.bindMemory(to: Int.self)
            var value = 0
            for d in digits.prefix(IINRange.maximumDigits) {
                value = value * 10 + Int(d)
                values[count] = value
                count += 1
            }
            for i in count..<IINRange.maximumDigits { values[i] = -1 }
        }
        return withUnsafeBytes(of: &prefixes) { raw in
            let values = raw.bindMemory(to: Int.self)
            for range in IINRange.longestFirst where range.contains(prefixOf: values) { return range.brand }
            return .unknown
        }
    }
}
