import Foundation
import Testing

@testable import TokenVault

@Suite struct BankAccountValidatorTests {
    static let today = Date(timeIntervalSince1970: 1_790_000_000) // 2026-09-21
    static let iban = "DE89370400440532013000"

    func check(_ values: [Field: String]) -> (InstrumentDisplay?, [RowIssue], RowScratch) {
        var issues: [RowIssue] = []
        let scratch = RowScratch()
        let display = BankAccountValidator(today: Self.today).validate(.make(values), scratch: scratch, issues: &issues)
        return (display, issues, scratch)
    }

    @Test func sepaAccountWithMandate() throws {
        let (display, issues, scratch) = check([
            .iban: "de89 3704 0044 0532 0130 00", .bic: "COBADEFFXXX", .accountHolderName: "Ada Lovelace",
            .mandateReference: "MNDT-2024/001", .mandateSignatureDate: "20240131", .mandateSignaturePlace: "Berlin", .recurring: "TRUE",
        ])
        #expect(issues.isEmpty)
        #expect(display?.alias == "DE89**************3000")
        #expect(display?.brandOrCountry == "DE")
        #expect(display?.bankCode == "37040044")
        #expect(display?.last4 == "3000")
        let metadata = try JSONSerialization.jsonObject(with: Data(display!.metadata!.utf8)) as! [String: String]
        #expect(
            metadata == [
                "bic": "COBADEFFXXX", "mandate_reference": "MNDT-2024/001", "mandate_signature_date": "20240131",
                "mandate_signature_place": "Berlin", "recurring": "true",
            ])
        #expect(String(decoding: scratch.identity, as: UTF8.self) == "iban:DE89370400440532013000")
        #expect(!display!.metadata!.contains("370400440532013000"))
    }

    @Test func ukSortCodeAccountIsPaddedAndMasked() {
        let (display, issues, scratch) = check([
            .countryCode: "gb", .bankCode: "60-16-13", .accountNumber: "1926819",
            .accountHolderName: "Ada Lovelace", .authorisationID: "AUTH-1",
        ])
        #expect(issues.isEmpty)
        #expect(String(decoding: scratch.identity, as: UTF8.self) == "acct:GB:601613::01926819")
        #expect(display?.alias == "****6819")
        #expect(display?.bankCode == "601613")
        #expect(display?.brandOrCountry == "GB")
    }

    @Test func shortAccountNumbersNeverShowMoreThanHalf() {
        let (display, issues, _) = check([.countryCode: "US", .bankCode: "021000021", .accountNumber: "12345", .accountHolderName: "Ada"])
        #expect(issues.isEmpty)
        #expect(display?.alias == "***45")
        #expect(display?.last4 == "45")
    }

    @Test(arguments: ["011000015", "021000021", "026009593", "121000248", "111000025", "122105155", "091000019", "322271627"])
    func publishedRoutingNumbersAreValid(routing: String) {
        #expect(ABARoutingNumber.isValid(Array(routing.utf8)))
        #expect(check([.countryCode: "US", .bankCode: routing, .accountNumber: "000123456789", .accountHolderName: "Ada"]).1.isEmpty)
    }

    @Test(
        arguments: [
            // IBAN and BIC.
            ([Field.iban: "DE89370400440532013001", .accountHolderName: "Ada"], ErrorCode.checksumFailed, Field.iban),
            ([.iban: iban, .accountHolderName: "Ada", .bic: "COBAFRFF"], .countryMismatch, .bic),
            ([.iban: iban, .accountHolderName: "Ada", .bic: "COBADE"], .invalidLength, .bic),
            ([.iban: iban, .accountHolderName: "Ada", .bic: "CO1ADEFF"], .invalidFormat, .bic),
            ([.iban: iban, .accountHolderName: "Ada", .bic: "COBAQQFF"], .unknownCountry, .bic),
            ([.iban: iban, .accountHolderName: "Ada", .countryCode: "FR"], .countryMismatch, .countryCode),
            // Domestic accounts.
            ([.accountHolderName: "Ada"], .missingField, .iban),
            ([.accountNumber: "31926819", .bankCode: "601613", .accountHolderName: "Ada"], .missingField, .countryCode),
            (
                [.countryCode: "QQ", .accountNumber: "31926819", .bankCode: "601613", .accountHolderName: "Ada"], .unknownCountry,
                .countryCode
            ),
            (
                [.countryCode: "G1", .accountNumber: "31926819", .bankCode: "601613", .accountHolderName: "Ada"], .invalidFormat,
                .countryCode
            ),
            ([.countryCode: "DE", .accountNumber: "532013000", .bankCode: "37040044", .accountHolderName: "Ada"], .missingField, .iban),
            ([.countryCode: "GB", .accountNumber: "31926819", .bankCode: "60161", .accountHolderName: "Ada"], .invalidLength, .bankCode),
            ([.countryCode: "GB", .accountNumber: "31926819", .bankCode: "60161A", .accountHolderName: "Ada"], .invalidFormat, .bankCode),
            (
                [.countryCode: "GB", .accountNumber: "31926", .bankCode: "601613", .accountHolderName: "Ada"], .invalidLength,
                .accountNumber
            ),
            (
                [.countryCode: "GB", .accountNumber: "319268190", .bankCode: "601613", .accountHolderName: "Ada"], .invalidLength,
                .accountNumber
            ),
            (
                [.countryCode: "GB", .accountNumber: "3192681X", .bankCode: "601613", .accountHolderName: "Ada"], .invalidFormat,
                .accountNumber
            ),
            ([.countryCode: "GB", .accountNumber: "31926819", .accountHolderName: "Ada"], .missingField, .bankCode),
            (
                [.countryCode: "US", .accountNumber: "123456789", .bankCode: "021000022", .accountHolderName: "Ada"], .checksumFailed,
                .bankCode
            ),
            (
                [.countryCode: "US", .accountNumber: "123456789", .bankCode: "123456789", .accountHolderName: "Ada"], .checksumFailed,
                .bankCode
            ),
            (
                [.countryCode: "US", .accountNumber: "123456789", .bankCode: "02100002", .accountHolderName: "Ada"], .invalidLength,
                .bankCode
            ),
            (
                [.countryCode: "US", .accountNumber: "123", .bankCode: "021000021", .accountHolderName: "Ada"], .invalidLength,
                .accountNumber
            ),
            (
                [.countryCode: "US", .accountNumber: "123456789012345678", .bankCode: "021000021", .accountHolderName: "Ada"],
                .invalidLength, .accountNumber
            ),
            (
                [.countryCode: "JP", .accountNumber: "1234567", .bankCode: "0001", .branchCode: "001!", .accountHolderName: "Ada"],
                .invalidFormat, .branchCode
            ),
            (
                [.countryCode: "JP", .accountNumber: String(repeating: "1", count: 35), .bankCode: "0001", .accountHolderName: "Ada"],
                .invalidLength, .accountNumber
            ),
            (
                [.countryCode: "JP", .accountNumber: "1234567", .bankCode: "0001", .checkDigit: "123", .accountHolderName: "Ada"],
                .invalidLength, .checkDigit
            ),
            // Holder and mandate.
            ([.iban: iban], .missingField, .accountHolderName),
            ([.iban: iban, .accountHolderName: "A"], .invalidLength, .accountHolderName),
            ([.iban: iban, .accountHolderName: String(repeating: "x", count: 71)], .invalidLength, .accountHolderName),
            ([.iban: iban, .accountHolderName: "Ada DE89 3704 0044 0532 0130 00"], .sensitiveDataInField, .accountHolderName),
            ([.iban: iban, .accountHolderName: "Ada", .reference: "de89370400440532013000"], .sensitiveDataInField, .reference),
            (
                [.iban: iban, .accountHolderName: "Ada", .mandateReference: String(repeating: "M", count: 36)], .invalidLength,
                .mandateReference
            ),
            ([.iban: iban, .accountHolderName: "Ada", .mandateReference: "MNDT_1"], .invalidFormat, .mandateReference),
            ([.iban: iban, .accountHolderName: "Ada", .mandateSignatureDate: "20230230"], .invalidFormat, .mandateSignatureDate),
            ([.iban: iban, .accountHolderName: "Ada", .mandateSignatureDate: "2024-01-31"], .invalidFormat, .mandateSignatureDate),
            ([.iban: iban, .accountHolderName: "Ada", .mandateSignatureDate: "20261231"], .invalidFormat, .mandateSignatureDate),
            ([.iban: iban, .accountHolderName: "Ada", .recurring: "yes"], .invalidFormat, .recurring),
            (
                [.iban: iban, .accountHolderName: "Ada", .authorisationID: String(repeating: "A", count: 36)], .invalidLength,
                .authorisationID
            ),
            ([.iban: iban, .accountHolderName: "Ada", .mandateSignaturePlace: "Ber\nlin"], .invalidFormat, .mandateSignaturePlace),
        ] as [([Field: String], ErrorCode, Field)])
    func rejects(values: [Field: String], code: ErrorCode, field: Field) {
        let (display, issues, _) = check(values)
        #expect(display == nil)
        #expect(
            issues.contains { $0.code == code && $0.property == field.name },
            "expected \(code.rawValue) on \(field.name), got \(issues.map { "\($0.code.rawValue)/\($0.property)" })")
        for issue in issues {
            for value in values.values where value.count >= 8 && (value.hasPrefix("DE89") || value.allSatisfy(\.isNumber)) {
                #expect(!issue.message.contains(value))
            }
        }
    }

    @Test func everyProblemOfARowIsReported() {
        let (_, issues, _) = check([
            .iban: "DE00 0000", .accountHolderName: "A", .bic: "1234", .recurring: "maybe",
            .mandateSignatureDate: "20230230",
        ])
        #expect(
            Set(issues.map { "\($0.code.rawValue)/\($0.property)" }) == [
                "INVALID_LENGTH/iban", "INVALID_LENGTH/account_holder_name", "INVALID_LENGTH/bic",
                "INVALID_FORMAT/recurring", "INVALID_FORMAT/mandate_signature_date",
            ])
    }

    @Test func aTerritorysBICMatchesItsParentsIBAN() {
        let iban = IBANRegistry.country("FR")!.exampleIBAN(seed: 3)
        #expect(check([.iban: iban, .accountHolderName: "Ada", .bic: "BNPAGPGP"]).1.isEmpty)
        #expect(check([.iban: iban, .accountHolderName: "Ada", .bic: "BNPADEGP"]).1.map(\.code) == [.countryMismatch])
    }

    @Test func isoCountryList() {
        #expect(CountryCodes.all.count == 250)
        #expect(CountryCodes.isKnown("GB") && CountryCodes.isKnown("XK") && !CountryCodes.isKnown("UK"))
    }
}
