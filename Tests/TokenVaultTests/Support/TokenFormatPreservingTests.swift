import Foundation
import Testing

@testable import TokenVault

/// The format-preserving token's encoding: digits round-trip (leading zeros included), never
/// read as a UUID, and a UUID never reads as one.
@Suite struct TokenFormatPreservingTests {
    @Test(arguments: ["400000123456", "0000001234567890", "6011000990139424123", "4111110000001112"])
    func digitsRoundTrip(text: String) throws {
        let token = try #require(Token(text))
        #expect(token.isFormatPreserving)
        #expect(token.description == text)
        let stored = token.withBytes { Token(storedBytes: $0) }
        #expect(stored == token && stored?.description == text)
    }

    @Test func aUUIDIsNeverFormatPreservingAndDigitsNeedTheRightLength() {
        for _ in 0..<1000 {
            let token = SecureRandom.bytes(16).withUnsafeBytes { Token(random: $0) }
            #expect(!token.isFormatPreserving)
        }
        #expect(Token("12345678901") == nil && Token("12345678901234567890") == nil)
    }

    @Test(arguments: 12...19)
    func drawnTokensKeepTheCardsShapeAndFailLuhn(length: Int) {
        let card = Array("4539578763621486123".prefix(length).utf8)
        for _ in 0..<200 {
            let token = SecureRandom.bytes(Token.formatPreservingRandomBytes).withUnsafeBytes {
                Token.formatPreserving(card: card, random: $0)
            }
            let digits = token.utf8
            #expect(digits.count == length && digits.prefix(6) == card.prefix(6) && digits.suffix(4) == card.suffix(4))
            #expect(!Luhn.isValid(digits.map { $0 - 0x30 }))
            #expect(token.redrawn().utf8.suffix(4) == card.suffix(4))
        }
    }
}
