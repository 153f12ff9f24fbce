import Testing

@testable import TokenVault

/// Issue 11 item 13: one delimiter parser for `--delimiter` and a job's `delimiter`.
@Suite struct CSVDelimiterTests {
    @Test(arguments: [
        (",", UInt8(ascii: ",")), (";", UInt8(ascii: ";")), ("|", UInt8(ascii: "|")), ("tab", 0x09), ("\\t", 0x09), ("\t", 0x09),
    ])
    func accepted(text: String, byte: UInt8) throws {
        #expect(try CSVDelimiter.parse(text) == byte)
    }

    @Test(arguments: ["\"", "\n", "\r", "", ";;", "é", "\u{0}", "\u{7F}"])
    func refused(text: String) {
        #expect(throws: TokenVaultError.self) { try CSVDelimiter.parse(text) }
    }
}
