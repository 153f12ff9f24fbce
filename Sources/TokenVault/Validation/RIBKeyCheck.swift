/// France and Monaco: the RIB key, the last 2 BBAN digits.
///
/// key = 97 − ((89 × bank + 15 × branch + 3 × account) mod 97), over bank (5 digits), branch
/// (5) and account (11, letters folded to digits: A/J → 1, B/K/S → 2, … I/R/Z → 9).
struct RIBKeyCheck: NationalCheck {
    var checkPositions: [Int] { [21, 22] }

    func isValid(_ bban: ArraySlice<UInt8>) -> Bool {
        func value(_ range: Range<Int>) -> Int {
            var remainder = 0
            for i in range { remainder = (remainder * 10 + Self.folded(bban.character(i))) % 97 }
            return remainder
        }
        let sum = 89 * value(0..<5) + 15 * value(5..<10) + 3 * value(10..<21)
        return bban.digit(21) * 10 + bban.digit(22) == 97 - sum % 97
    }

    /// A digit's value, or a letter folded the RIB way.
    static func folded(_ c: UInt8) -> Int {
        if c <= 0x39 { return Int(c) - 0x30 }
        let letter = Int(c) - 0x41
        // A–I → 1–9, J–R → 1–9, S–Z → 2–9.
        return letter < 18 ? letter % 9 + 1 : letter - 18 + 2
    }
}
