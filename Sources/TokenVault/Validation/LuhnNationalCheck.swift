/// Finland: the BBAN's last digit is its Luhn check digit.
struct LuhnNationalCheck: NationalCheck {
    var checkPositions: [Int] { [13] }

    func isValid(_ bban: ArraySlice<UInt8>) -> Bool {
        Luhn.isValid(bban.lazy.map { $0 - 0x30 })
    }
}
