import Foundation
import Testing

@testable import TokenVault

/// Every string from outside is escaped in the reports; a hostile one cannot open a tag.
@Suite struct HTMLTests {
    @Test(arguments: [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a\" onload=\"x", "a&quot; onload=&quot;x"),
        ("it's & <b>", "it&#39;s &amp; &lt;b&gt;"),
        ("&lt;", "&amp;lt;"),
        ("bell\u{07}esc\u{1B}[31m", "bell\u{FFFD}esc\u{FFFD}[31m"),
        ("abc\u{202E}fdp.exe", "abc\u{FFFD}fdp.exe"),
        ("naïve 卡 ✓", "naïve 卡 ✓"),
    ])
    func escapesTextAndAttributes(input: String, expected: String) {
        #expect(HTML.escape(input) == expected)
    }

    @Test func attributesAndTextAreEscapedRawIsNot() {
        var page = HTML()
        page.element("td", ["class": "x\"><script>"], text: "</td><script>")
        page.raw("<svg/>")
        #expect(page.text == "<td class=\"x&quot;&gt;&lt;script&gt;\">&lt;/td&gt;&lt;script&gt;</td><svg/>")
    }
}
