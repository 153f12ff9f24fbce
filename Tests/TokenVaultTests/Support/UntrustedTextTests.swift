import Testing

@testable import TokenVault

/// Issue 11 item 4: header names and JSON keys are hostile; what reaches a log line.
@Suite struct UntrustedTextTests {
    @Test(arguments: [
        "4111111111111111", "12/39\r4111111111111111", "pan 4111 1111 1111 1111", "x4111-1111-1111-1111",
        "４１１１１１１１１１１１１１１１", "12345",
    ])
    func namesHoldingDigitsAreWithheld(name: String) {
        #expect(UntrustedText.name(name) == "(a name holding digits, withheld)")
    }

    @Test func controlCharactersCannotForgeLines() {
        let shown = UntrustedText.name("a\nb\r\u{1B}[2J\u{2028}\u{202E}\"\\")
        #expect(shown == #""a?b??[2J????""#)
    }

    @Test func longNamesAreCutAndManyNamesCounted() {
        #expect(UntrustedText.name(String(repeating: "x", count: 40)) == "\"" + String(repeating: "x", count: 32) + "…\"")
        #expect(UntrustedText.name("cvv2 note") == #""cvv2 note""#)
        let names = (0..<12).map { "c\(String(UnicodeScalar(UInt8(97 + $0))))" }
        #expect(UntrustedText.names(names).hasSuffix(" and 2 more"))
    }
}
