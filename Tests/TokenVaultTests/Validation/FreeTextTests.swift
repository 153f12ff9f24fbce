import Foundation
import Testing

@testable import TokenVault

/// Numbers through free text (issue 11 item 9): any 12–19 digit Luhn-valid run is sensitive.
@Suite struct FreeTextTests {
    static let other = "5555555555554444" // another card than the row's

    @Test func findsTheNumberAcrossSeparatorsAndCase() {
        #expect(FreeText.contains(Array("pan: 4111-1111 1111.1111 x".utf8)[...], number: Array("4111111111111111".utf8)))
        #expect(FreeText.contains(Array("de89 3704 0044 0532 0130 00".utf8)[...], number: Array("DE89370400440532013000".utf8)))
        #expect(!FreeText.contains(Array("4111 1111 1111 111".utf8)[...], number: Array("4111111111111111".utf8)))
        #expect(!FreeText.contains(Array("Ada".utf8)[...], number: Array("4111111111111111".utf8)))
    }

    @Test func countsCharactersNotBytes() {
        #expect(FreeText.lengthIsWithin(Array("山田".utf8)[...], min: 2, max: 2))
        #expect(!FreeText.lengthIsWithin(Array("山".utf8)[...], min: 2, max: 51))
        #expect(FreeText.lengthIsWithin(Array(String(repeating: "é", count: 51).utf8)[...], min: 2, max: 51))
    }

    @Test(arguments: [
        "5555555555554444", "order 5555 5555 5555 4444", "x5555-5555-5555-4444y", "5555.5555.5555.4444",
        "ref 12 5555555555554444", // a separated group on its own
        "５５５５５５５５５５５５４４４４", // full-width digits
        "٥٥٥٥٥٥٥٥٥٥٥٥٤٤٤٤", // Arabic-Indic digits
        "５５５５ ５５５５－５５５５ ４４４４", // full-width digits and dash
        "378282246310005", "4222222222222", // 15 and 13 digits
        "6011000990139424124", // 19 digits, Luhn-valid
    ])
    func cardNumbersAreFound(text: String) {
        #expect(FreeText.holdsCardNumber(Array(text.utf8)[...]))
    }

    @Test(arguments: [
        "", "Ada Lovelace", "order 12345", "5555555555554445", "41111111111", // Luhn fails; 11 digits
        "41111111111111111111", // 20 digits: not a card number
        "INV-2026-000123", "2026-12-04", "+44 20 7946 0958", "５５５５",
    ])
    func otherTextIsNot(text: String) {
        #expect(!FreeText.holdsCardNumber(Array(text.utf8)[...]))
    }

    @Test(arguments: [Field.reference, .cardholderName, .alias, .merchantCustomerID])
    func cardFreeTextWithAnotherCardIsRejected(field: Field) {
        let validator = CardValidator(currentMonth: YearMonth(year: 2026, month: 11), allowExpired: false)
        var issues: [RowIssue] = []
        // merchant_customer_id holds at most 15 characters: a 15-digit Amex test number.
        let value = field == .merchantCustomerID ? "378282246310005" : "x " + FreeTextTests.other
        let display = validator.validate(
            .make([.cardNumber: "4111111111111111", .expiryDate: "12/30", field: value]), scratch: RowScratch(), issues: &issues)
        #expect(display == nil)
        #expect(issues.map(\.code) == [.sensitiveDataInField])
        #expect(issues.first?.property == field.name)
    }

    @Test(arguments: [Field.reference, .accountHolderName, .mandateReference, .mandateSignaturePlace, .authorisationID])
    func bankFreeTextWithACardIsRejected(field: Field) {
        let validator = BankAccountValidator(today: Date())
        var issues: [RowIssue] = []
        var values: [Field: String] = [.iban: "DE89370400440532013000", .accountHolderName: "Ada Lovelace"]
        values[field] = "AB " + FreeTextTests.other
        let display = validator.validate(.make(values), scratch: RowScratch(), issues: &issues)
        #expect(display == nil)
        #expect(issues.map(\.code) == [.sensitiveDataInField])
        #expect(issues.first?.property == field.name)
    }
}
