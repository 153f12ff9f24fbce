import Testing

@testable import TokenVault

@Suite struct CardValidatorTests {
    let validator = CardValidator(currentMonth: YearMonth(year: 2026, month: 11), allowExpired: false)
    static let visa = "4111111111111111"

    func check(_ values: [Field: String], validator: CardValidator? = nil) -> (InstrumentDisplay?, [RowIssue]) {
        var issues: [RowIssue] = []
        let display = (validator ?? self.validator).validate(.make(values), scratch: RowScratch(), issues: &issues)
        return (display, issues)
    }

    @Test func validCardGivesMaskedAliasBrandAndLast4() {
        let (display, issues) = check([.cardNumber: "4111 1111-1111 1111", .expiryDate: "12/30", .cardholderName: "Ada"])
        #expect(issues.isEmpty)
        #expect(display?.alias == "411111******1111")
        #expect(display?.brandOrCountry == "visa")
        #expect(display?.last4 == "1111")
        #expect(display?.visiblePrefix == "411111")
        #expect(display?.expiry == YearMonth(year: 2030, month: 12))
    }

    /// Every error code a card row can get, with the property it names.
    @Test(
        arguments: [
            ([Field.expiryDate: "12/30"], ErrorCode.missingField, Field.cardNumber),
            ([.cardNumber: "   ", .expiryDate: "12/30"], .missingField, .cardNumber),
            ([.cardNumber: "4111x11111111111", .expiryDate: "12/30"], .invalidFormat, .cardNumber),
            ([.cardNumber: "41111111111", .expiryDate: "12/30"], .invalidLength, .cardNumber),
            ([.cardNumber: "41111111111111111111", .expiryDate: "12/30"], .invalidLength, .cardNumber),
            ([.cardNumber: "4111111111111112", .expiryDate: "12/30"], .checksumFailed, .cardNumber),
            ([.cardNumber: CardValidatorTests.visa], .missingField, .expiryDate),
            ([.cardNumber: CardValidatorTests.visa, .expiryDate: "13/30"], .invalidFormat, .expiryDate),
            ([.cardNumber: CardValidatorTests.visa, .expiryDate: "00/30"], .invalidFormat, .expiryDate),
            ([.cardNumber: CardValidatorTests.visa, .expiryDate: "1230x"], .invalidFormat, .expiryDate),
            ([.cardNumber: CardValidatorTests.visa, .expiryDate: "2030-12"], .invalidFormat, .expiryDate),
            ([.cardNumber: CardValidatorTests.visa, .expiryDate: "10/26"], .cardExpired, .expiryDate),
            ([.cardNumber: CardValidatorTests.visa, .expiryMonth: "13", .expiryYear: "2030"], .invalidFormat, .expiryMonth),
            ([.cardNumber: CardValidatorTests.visa, .expiryMonth: "012", .expiryYear: "2030"], .invalidLength, .expiryMonth),
            ([.cardNumber: CardValidatorTests.visa, .expiryMonth: "12", .expiryYear: "203"], .invalidLength, .expiryYear),
            ([.cardNumber: CardValidatorTests.visa, .expiryMonth: "12", .expiryYear: "20x0"], .invalidFormat, .expiryYear),
            ([.cardNumber: CardValidatorTests.visa, .expiryMonth: "12"], .missingField, .expiryYear),
            ([.cardNumber: CardValidatorTests.visa, .expiryYear: "2030"], .missingField, .expiryMonth),
            ([.cardNumber: CardValidatorTests.visa, .expiryMonth: "1", .expiryYear: "2020"], .cardExpired, .expiryYear),
            ([.cardNumber: CardValidatorTests.visa, .expiryDate: "12/30", .cardholderName: "A"], .invalidLength, .cardholderName),
            (
                [.cardNumber: CardValidatorTests.visa, .expiryDate: "12/30", .cardholderName: String(repeating: "é", count: 52)],
                .invalidLength, .cardholderName
            ),
            (
                [.cardNumber: CardValidatorTests.visa, .expiryDate: "12/30", .cardholderName: "Ada\nLovelace"], .invalidFormat,
                .cardholderName
            ),
            (
                [.cardNumber: CardValidatorTests.visa, .expiryDate: "12/30", .cardholderName: "Ada 4111 1111 1111 1111"],
                .sensitiveDataInField, .cardholderName
            ),
            ([.cardNumber: CardValidatorTests.visa, .expiryDate: "12/30", .issueNumber: "1a"], .invalidFormat, .issueNumber),
            ([.cardNumber: CardValidatorTests.visa, .expiryDate: "12/30", .issueNumber: "123"], .invalidLength, .issueNumber),
            (
                [.cardNumber: CardValidatorTests.visa, .expiryDate: "12/30", .alias: String(repeating: "a", count: 101)], .invalidLength,
                .alias
            ),
            (
                [.cardNumber: CardValidatorTests.visa, .expiryDate: "12/30", .alias: "my card 4111-1111-1111-1111"], .sensitiveDataInField,
                .alias
            ),
            (
                [.cardNumber: CardValidatorTests.visa, .expiryDate: "12/30", .merchantCustomerID: "0123456789abcdef"], .invalidLength,
                .merchantCustomerID
            ),
            (
                [.cardNumber: CardValidatorTests.visa, .expiryDate: "12/30", .reference: String(repeating: "r", count: 65)], .invalidLength,
                .reference
            ),
            (
                [.cardNumber: CardValidatorTests.visa, .expiryDate: "12/30", .reference: "order-4111111111111111"], .sensitiveDataInField,
                .reference
            ),
        ] as [([Field: String], ErrorCode, Field)])
    func rejects(values: [Field: String], code: ErrorCode, field: Field) {
        let (display, issues) = check(values)
        #expect(display == nil)
        #expect(
            issues.contains { $0.code == code && $0.property == field.name && $0.severity == .error },
            "expected \(code.rawValue) on \(field.name), got \(issues.map { "\($0.code.rawValue)/\($0.property)" })")
    }

    @Test(arguments: Field.securityCodes)
    func securityCodeIsAWarningAndTheRowIsKept(field: Field) {
        let (display, issues) = check([.cardNumber: Self.visa, .expiryDate: "12/30", field: "123"])
        #expect(display != nil)
        #expect(issues == [RowIssue(.cvvNotStored, field, issues.first?.message ?? "", severity: .warning)])
        #expect(!issues[0].message.contains("123"))
    }

    @Test func everyProblemOfARowIsReported() {
        let (_, issues) = check([
            .cardNumber: "4111x", .expiryDate: "13/30", .cardholderName: "A", .issueNumber: "123",
            .merchantCustomerID: "0123456789abcdef", .cvv: "999",
        ])
        let codes = Set(issues.map { "\($0.code.rawValue)/\($0.property)" })
        #expect(
            codes == [
                "INVALID_FORMAT/card_number", "INVALID_FORMAT/expiry_date", "INVALID_LENGTH/cardholder_name",
                "INVALID_LENGTH/issue_number", "INVALID_LENGTH/merchant_customer_id", "CVV_NOT_STORED/cvv",
            ])
    }

    @Test func messagesNeverHoldTheValue() {
        let numbers = ["4111111111111112", "41111111111", "4111x11111111111", "4111111111111111"]
        for number in numbers {
            let (_, issues) = check([.cardNumber: number, .expiryDate: "12/20", .alias: "x \(number)", .reference: number])
            for issue in issues {
                #expect(!issue.message.contains(number))
                #expect(!issue.message.contains("4111"))
            }
        }
    }

    @Test func expiredCardsPassWithAllowExpired() {
        let lenient = CardValidator(currentMonth: YearMonth(year: 2026, month: 11), allowExpired: true)
        let (display, issues) = check([.cardNumber: Self.visa, .expiryDate: "0120"], validator: lenient)
        #expect(display != nil)
        #expect(issues.isEmpty)
    }

    @Test func currentMonthIsNotExpired() {
        let (display, _) = check([.cardNumber: Self.visa, .expiryMonth: "11", .expiryYear: "26"])
        #expect(display?.expiry == YearMonth(year: 2026, month: 11))
    }

    @Test func customAliasIsKeptWhenValid() {
        let (display, _) = check([.cardNumber: Self.visa, .expiryDate: "12/30", .alias: "Travel"])
        #expect(display?.alias == "Travel")
    }

    @Test func identityAndPayloadAreFilledOnlyForValidRows() {
        let scratch = RowScratch()
        var issues: [RowIssue] = []
        _ = validator.validate(.make([.cardNumber: "4111 1111 1111 1111", .expiryDate: "1230"]), scratch: scratch, issues: &issues)
        #expect(String(decoding: scratch.identity, as: UTF8.self) == "card:4111111111111111")
        let decoded = try? SealedPayload.decode(scratch.payload)
        #expect(decoded?[.cardNumber] == "4111111111111111")
        #expect(decoded?[.expiry] == "203012")
    }
}

@Suite struct LuhnTests {
    @Test(arguments: ["4111111111111111", "5555555555554444", "378282246310005", "6011000990139424", "79927398713"])
    func valid(number: String) { #expect(Luhn.isValid(number.utf8.map { $0 - 0x30 })) }

    @Test(arguments: ["4111111111111112", "79927398710", "1234567812345678"])
    func invalid(number: String) { #expect(!Luhn.isValid(number.utf8.map { $0 - 0x30 })) }

    @Test func checkDigitCompletesANumber() {
        let partial: [UInt8] = [7, 9, 9, 2, 7, 3, 9, 8, 7, 1]
        #expect(Luhn.checkDigit(for: partial) == 3)
    }
}
