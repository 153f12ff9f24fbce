/// National check digits computed mod 97 over a run of the BBAN (letters count 10–35).
struct Mod97NationalCheck: NationalCheck {
    enum Rule: Sendable {
        /// ISO 7064 MOD 97-10: check = 98 − (payload × 100 mod 97), `02`–`98`.
        case iso7064
        /// The Mauritanian and Tunisian variant: check = 97 − (payload × 100 mod 97).
        case complement
        /// Belgium: check = payload mod 97, with 0 written `97`.
        case belgian
    }

    let rule: Rule
    let payload: Range<Int>
    let check: Range<Int>

    init(_ rule: Rule, payload: Range<Int>, check: Range<Int>) {
        self.rule = rule
        self.payload = payload
        self.check = check
    }

    var checkPositions: [Int] { Array(check) }

    func isValid(_ bban: ArraySlice<UInt8>) -> Bool {
        var remainder = 0
        for i in payload {
            let c = bban.character(i)
            remainder = c >= 0x41 ? (remainder * 100 + Int(c) - 0x41 + 10) % 97 : (remainder * 10 + Int(c) - 0x30) % 97
        }
        let expected =
            switch rule {
            case .iso7064: 98 - remainder * 100 % 97
            case .complement: 97 - remainder * 100 % 97
            case .belgian: remainder == 0 ? 97 : remainder
            }
        var given = 0
        for i in check {
            guard bban.character(i) <= 0x39 else { return false }
            given = given * 10 + bban.digit(i)
        }
        return given == expected
    }
}
