/// A card scheme, recognised from the number's prefix (the IIN ranges the schemes publish).
public enum CardBrand: String, Sendable, CaseIterable, Codable {
    case visa, mastercard, amex, discover, diners, jcb, unionpay, maestro, unknown

    /// The brand of a card number given as digit values (0–9). Unknown is not an error.
    public static func detect(_ digits: some Collection<UInt8>) -> CardBrand {
        func prefix(_ n: Int) -> Int {
            var value = 0
            for d in digits.prefix(n) { value = value * 10 + Int(d) }
            return digits.count >= n ? value : -1
        }
        let p1 = prefix(1), p2 = prefix(2), p3 = prefix(3), p4 = prefix(4), p6 = prefix(6)
        switch true {
        case p2 == 34 || p2 == 37: return .amex
        case (300...305).contains(p3) || p2 == 36 || p2 == 38 || p2 == 39 || p4 == 3095: return .diners
        case (3528...3589).contains(p4): return .jcb
        case p4 == 6011 || (644...649).contains(p3) || p2 == 65: return .discover
        case p2 == 62 || p2 == 81: return .unionpay
        case [5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763].contains(p4): return .maestro
        case (51...55).contains(p2) || (2221...2720).contains(p4): return .mastercard
        case p2 == 50 || (56...58).contains(p2) || p2 == 67 || p6 == 639_000: return .maestro
        case p1 == 4: return .visa
        default: return .unknown
        }
    }
}
