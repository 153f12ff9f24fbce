/// Italy and San Marino: the CIN, the BBAN's first character, a letter computed over the 22
/// characters after it (bank, branch, account).
///
/// Characters at odd positions (1st, 3rd, …) are converted through `odd`, those at even
/// positions count as their value (digits 0–9, letters A=0 … Z=25); the sum mod 26 is the letter.
struct ItalianCINCheck: NationalCheck {
    private static let odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]

    var checkPositions: [Int] { [0] }

    func isValid(_ bban: ArraySlice<UInt8>) -> Bool {
        var sum = 0
        for i in 1..<23 {
            let c = bban.character(i)
            let value = c <= 0x39 ? Int(c) - 0x30 : Int(c) - 0x41
            sum += (i - 1) % 2 == 0 ? Self.odd[value] : value
        }
        return Int(bban.character(0)) - 0x41 == sum % 26
    }
}
