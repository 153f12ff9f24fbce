import Testing

@testable import TokenVault

/// The small shared writers and the header rule every reader relies on.
@Suite struct TextFormatsTests {
    @Test func csvFieldsAreQuotedOnlyWhenNeeded() {
        #expect(CSVText.field("plain") == "plain")
        #expect(CSVText.field("a,b") == "\"a,b\"")
        #expect(CSVText.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVText.field("two\nlines") == "\"two\nlines\"")
        #expect(CSVText.line(["a", "b,c", ""]) == "a,\"b,c\",\n")
    }

    @Test func headerNamesMatchByOneRule() {
        #expect(Field.normalizedName("Card Number") == "cardnumber")
        #expect(Field.normalizedName("card-number") == Field.normalizedName("CARD_NUMBER"))
        let mapping = try! FieldMapping(kind: .card)
        for key in ["card_number", "Card Number", "CARD-NUMBER"] {
            #expect(Array(key.utf8).withUnsafeBufferPointer { mapping.field(forKey: $0) } == .cardNumber)
        }
        #expect(Array("card_numbers".utf8).withUnsafeBufferPointer { mapping.field(forKey: $0) } == nil)
    }

    @Test func hexIsTwoLowerCaseDigitsAByte() {
        #expect([0x00, 0x0f, 0xab, 0xff].hexString == "000fabff")
    }
}
