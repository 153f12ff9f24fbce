import Foundation
import Testing

@testable import TokenVault

/// ISO 13616 per the SWIFT registry, for every country it lists.
@Suite struct IBANRegistryTests {
    /// Examples published in the SWIFT IBAN Registry (as carried by php-iban's registry.txt).
    static let published = [
        "AD1200012030200359100100", "AE070331234567890123456", "AL47212110090000000235698741", "AT611904300234573201",
        "AZ21NABZ00000000137010001944", "BA391290079401028494", "BE68539007547034", "BG80BNBG96611020345678",
        "BH67BMAG00001299123456", "BR9700360305000010009795493P1", "CH9300762011623852957", "CR05015202001026284066",
        "CY17002001280000001200527600", "CZ6508000000192000145399", "DE89370400440532013000", "DK5000400440116243",
        "DO28BAGR00000001212453611324", "EE382200221020145685", "ES9121000418450200051332", "FI2112345600000785",
        "FO2000400440116243", "FR1420041010050500013M02606", "GB29NWBK60161331926819", "GE29NB0000000101904917",
        "GI75NWBK000000007099453", "GL2000400440116243", "GR1601101250000000012300695", "GT82TRAJ01020000001210029690",
        "HR1210010051863000160", "HU42117730161111101800000000", "IE29AIBK93115212345678", "IL620108000000099999999",
        "IS140159260076545510730339", "IT60X0542811101000000123456", "JO94CBJO0010000000000131000302",
        "KW81CBKU0000000000001234560101", "KZ86125KZT5004100100", "LB62099900000001001901229114",
        "LC55HEMM000100010012001200023015", "LI21088100002324013AA", "LT121000011101001000", "LU280019400644750000",
        "LV80BANK0000435195001", "MC5811222000010123456789030", "MD24AG000225100013104168", "ME25505000012345678951",
        "MK07250120000058984", "MR1300020001010000123456753", "MT84MALT011000012345MTLCAST001S",
        "MU17BOMM0101101030300200000MUR", "NL91ABNA0417164300", "NO9386011117947", "PK36SCBL0000001123456702",
        "PL61109010140000071219812874", "PS92PALS000000000400123456702", "PT50000201231234567890154",
        "QA58DOHB00001234567890ABCDEFG", "RO49AAAA1B31007593840000", "RS35260005601001611379",
        "SA0380000000608010167519", "SC18SSCB11010000000000001497USD", "SE4550000000058398257466",
        "SK3112000000198742637541", "SM86U0322509800000000270100", "ST68000100010051845310112",
        "TL380080012345678910157", "TN5910006035183598478831", "TR330006100519786457841326",
        "VG96VPVG0000012345678901", "XK051212012345678906",
    ]

    /// Every registry country: its published example when we carry one, else one built from its structure.
    static let examples: [String] = IBANRegistry.countries.map { country in
        published.first { $0.hasPrefix(country.code) } ?? country.exampleIBAN(seed: 12_345)
    }

    func check(_ iban: String) -> [RowIssue] {
        var issues: [RowIssue] = []
        _ = BankAccountValidator(today: .now).validate(
            .make([.iban: iban, .accountHolderName: "Test Holder"]), scratch: RowScratch(), issues: &issues)
        return issues
    }

    @Test func registryHasEveryCountry() {
        #expect(IBANRegistry.countries.count == 89)
        #expect(Self.published.allSatisfy { IBANRegistry.country($0.prefix(2)) != nil })
        #expect(IBANRegistry.country("DE")?.bban == "8!n10!n")
        #expect(IBANRegistry.country("FR")?.bban == "5!n5!n11!c2!n")
        #expect(IBANRegistry.ibanCountry(for: "GP") == "FR")
    }

    @Test(arguments: examples)
    func exampleIsValid(iban: String) {
        #expect(check(iban).isEmpty, "\(iban)")
        #expect(check(IBANTesting.spaced(iban).lowercased()).isEmpty, "spaces and lower case are normalised")
    }

    @Test(arguments: examples)
    func oneCharacterChangedFailsTheChecksum(iban: String) {
        var chars = Array(iban)
        let i = chars.lastIndex { $0.isNumber }!
        chars[i] = chars[i] == "7" ? "3" : "7"
        #expect(check(String(chars)).map(\.code) == [.checksumFailed], "\(iban)")
    }

    @Test(arguments: examples)
    func oneCharacterMoreOrLessFailsTheLength(iban: String) {
        #expect(check(iban + "0").map(\.code) == [.invalidLength])
        #expect(check(String(iban.dropLast())).map(\.code) == [.invalidLength])
    }

    @Test(arguments: examples.filter { iban in IBANRegistry.country(iban.prefix(2))!.bban.contains("n") })
    func aLetterWhereADigitBelongsFailsTheFormatEvenWithGoodCheckDigits(iban: String) {
        let country = IBANRegistry.country(iban.prefix(2))!
        // Find the first position the structure wants a digit, put a letter there, recompute.
        var position = 0
        outer: for segment in country.segments {
            if segment.characterClass == UInt8(ascii: "n") { break outer }
            position += segment.count
        }
        var bban = Array(iban.dropFirst(4))
        bban[position] = "X"
        let text = String(bban)
        let forged = country.code + IBANRegistry.checkDigits(country: country.code, bban: text) + text
        #expect(IBANRegistry.mod97(Array(forged.utf8)) == 1)
        #expect(check(forged).map(\.code) == [.invalidFormat], "\(forged)")
    }

    @Test(arguments: ["ZZ89370400440532013000", "US89370400440532013000", "AA110011123Z5678"])
    func unknownCountries(iban: String) {
        #expect(check(iban).map(\.code) == [.unknownCountry])
    }

    @Test(arguments: ["DE89 3704 0044 0532 0130 0!", "1234567890"])
    func malformed(iban: String) {
        #expect(check(iban).map(\.code) == [.invalidFormat])
    }
}

enum IBANTesting {
    static func spaced(_ iban: String) -> String {
        stride(from: 0, to: iban.count, by: 4).map { String(Array(iban)[$0..<min($0 + 4, iban.count)]) }.joined(separator: " ")
    }
}
