import Testing

@testable import TokenVault

@Suite struct TokenTests {
    @Test func randomTokensAreLowercaseUUIDv4() {
        for _ in 0..<100 {
            let bytes = SecureRandom.bytes(16)
            let token = bytes.withUnsafeBytes { Token(random: $0) }
            let text = token.description
            #expect(text.count == 36)
            #expect(text == text.lowercased())
            let chars = Array(text)
            #expect(chars[14] == "4")
            #expect("89ab".contains(chars[19]))
            #expect(Token(text) == token)
            #expect(Token(text.uppercased()) == token)
        }
    }

    @Test func storedBytesRoundTrip() {
        let token = SecureRandom.bytes(16).withUnsafeBytes { Token(random: $0) }
        let back = token.withBytes { Token(storedBytes: $0) }
        #expect(back == token)
    }

    @Test(arguments: ["", "not-a-token", "0000000-0000-4000-8000-000000000000", "g0000000-0000-4000-8000-000000000000"])
    func rejectsMalformedText(text: String) { #expect(Token(text) == nil) }
}
