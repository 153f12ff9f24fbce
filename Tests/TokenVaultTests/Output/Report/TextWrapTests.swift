import Testing

@testable import TokenVault

/// The text report's lines fit in 100 columns and lose nothing.
@Suite struct TextWrapTests {
    @Test(arguments: [
        "short",
        "  rows 300,000 = 273,559 new + 14,375 existing + 12,066 rejected; 8,556 warnings; 35.3 s, 8,498 rows/s",
        "  input /" + String(repeating: "very-long-folder-name/", count: 12) + "cards.csv.gz: 4,888,426 bytes",
        String(repeating: "x", count: 350),
    ])
    func linesFitAndKeepEveryWord(text: String) {
        let lines = TextWrap.wrap(text, indent: "    ")
        #expect(lines.allSatisfy { $0.count <= 100 }, "\(lines)")
        let rejoined = lines.map { $0.trimmingPrefix(" ") }.joined()
        #expect(rejoined.filter { $0 != " " } == text.filter { $0 != " " })
        #expect(lines[0].hasPrefix(String(text.prefix { $0 == " " })))
    }

    @Test func controlCharactersNeverReachTheTerminal() {
        #expect(TextWrap.wrap("a\u{1B}[2Jb\nc") == ["a?[2Jb?c"])
    }

    @Test func cellsArePaddedOrCut() {
        #expect(TextWrap.cell("card", 6) == "card  ")
        #expect(TextWrap.cell("bank-account-x", 6) == "bank-…")
    }
}
