/// Spain: the two check digits of the CCC (BBAN positions 8 and 9).
///
/// The first covers bank and branch (positions 0–7), the second the account (10–19); each is
/// 11 − (Σ digit × 2ⁱ mod 11), with 11 written 0 and 10 written 1.
struct SpanishCCCCheck: NationalCheck {
    private static let weights = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]

    var checkPositions: [Int] { [8, 9] }

    func isValid(_ bban: ArraySlice<UInt8>) -> Bool {
        func checkDigit(_ range: Range<Int>, firstWeight: Int) -> Int {
            var sum = 0
            for (offset, i) in range.enumerated() { sum += bban.digit(i) * Self.weights[firstWeight + offset] }
            let digit = 11 - sum % 11
            return digit == 11 ? 0 : digit == 10 ? 1 : digit
        }
        // Bank and branch are weighted as if preceded by two zeros.
        return bban.digit(8) == checkDigit(0..<8, firstWeight: 2) && bban.digit(9) == checkDigit(10..<20, firstWeight: 0)
    }
}
