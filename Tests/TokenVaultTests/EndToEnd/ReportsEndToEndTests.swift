import Foundation
import Testing

@testable import TokenVault

/// Reports people look at (issue 14, SPEC §12), on the real executable: HTML reports beside the
/// JSON, the multi-run page, the 100-column text report, `verify JOB_ID` and `--version`.
@Suite struct ReportsEndToEndTests {
    /// A folder name that would be markup if it were not escaped.
    static let hostileFolder = "in<b>\"x\"&'<script>"

    /// 300 valid cards, 20 repeats and 15 that fail the Luhn check: every number is returned,
    /// invalid ones too, since none may appear in a report.
    func writeCards(_ ws: TestWorkspace, _ name: String, from first: Int = 1) throws -> Set<String> {
        var rows: [(reference: String, number: String, expiry: String)] = []
        for serial in first..<(first + 300) { rows.append(("r\(serial)", TestCards.number(serial: serial), "12/39")) }
        for serial in first..<(first + 20) { rows.append(("again\(serial)", TestCards.number(serial: serial), "12/39")) }
        for serial in 0..<15 {
            let valid = TestCards.number(serial: 90_000 + first + serial)
            let broken = String(valid.dropLast()) + String((Int(String(valid.last!))! + 1) % 10)
            rows.append(("bad\(serial)", broken, "12/39"))
        }
        try FileManager.default.createDirectory(
            atPath: (ws.path(name) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try ws.writeGzip(name, TestCards.csv(rows))
        return Set(rows.map(\.number))
    }

    func initVault(_ ws: TestWorkspace, _ vault: String = "vault.db") throws {
        let r = try ws.run(["init", "--vault", vault])
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// No script, no frame, nothing that loads from anywhere: the only URL is the SVG namespace.
    func expectSelfContained(_ html: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lower = html.lowercased()
        for banned in [
            "<script", "<link", "<iframe", "<object", "<embed", "<img", "@import", "url(", " src=", " href=", "srcset", "javascript:",
        ] {
            #expect(!lower.contains(banned), "\(banned) in the report", sourceLocation: sourceLocation)
        }
        let urls = lower.matches(of: /https?:\/\/[^"'\s<>)]*/).map { String($0.output) }
        #expect(Set(urls).subtracting(["http://www.w3.org/2000/svg"]).isEmpty, "\(urls)", sourceLocation: sourceLocation)
        #expect(lower.hasPrefix("<!doctype html>") && lower.contains("@page { size: a4"), sourceLocation: sourceLocation)
    }

    func expectNoNumbers(_ html: String, _ numbers: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(numbers.count > 100, sourceLocation: sourceLocation)
        #expect(leakedNumbers(in: Array(html.utf8), numbers: numbers).isEmpty, sourceLocation: sourceLocation)
    }

    func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test func completedRunWritesASelfContainedHTMLReportWithTheJSONNumbersAndNoCardNumber() throws {
        let ws = try TestWorkspace()
        try initVault(ws)
        let input = "\(Self.hostileFolder)/cards.csv.gz"
        let numbers = try writeCards(ws, input)
        let r = try ws.run(["tokenize", "--create-vault", "--kind", "card", input, "--job-id", "done", "--batch-size", "50"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try ws.readReport("done")
        let path = ws.path("out/done.report.html")
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(try mode(path) == 0o600)
        expectSelfContained(html)
        expectNoNumbers(html, numbers)
        #expect(!html.contains("<b>") && html.contains("in&lt;b&gt;&quot;x&quot;&amp;&#39;&lt;script&gt;/cards.csv.gz"))

        // The numbers of the JSON report, as tiles and in the verdict.
        let c = report.counts
        #expect((c.rows, c.new, c.existing, c.rejected) == (335, 300, 20, 15))
        for (value, name) in [
            (c.rows, "rows"), (c.new, "new"), (c.existing, "existing"), (c.rejected, "rejected"),
            (report.vault.tokensBefore, "tokens before"), (report.vault.tokensAfter, "tokens after"),
        ] {
            #expect(html.contains("<div class=\"v\">\(ChartNumber.grouped(value))</div><div class=\"k\">\(name)</div>"), "\(name)")
        }
        #expect(html.contains("verdict ok") && html.contains("✓ Reconciles"))
        #expect(html.contains("335 = 300 + 20 + 15"))
        #expect(html.contains(report.inputs[0].sha256))
        for code in report.errorsByCode.keys { #expect(html.contains(">\(code)<")) }
        #expect(report.errorsByField?["card_number"] == 15 && html.contains(">card_number<"))
        #expect(report.provenance?.masterKeyID.count == 12 && html.contains(report.provenance!.masterKeyID))
        #expect(report.provenance?.toolVersion.hasPrefix(BuildInfo.version) == true)
        let samples = try #require(report.progress)
        #expect(samples.first == .init(seconds: 0, rows: 0) && samples.last?.rows == 335)
        #expect(html.contains("<polyline"), "the throughput chart")
    }

    @Test func failedRunWritesAnHTMLReportThatSaysSo() throws {
        let ws = try TestWorkspace()
        try initVault(ws)
        let numbers = try writeCards(ws, "cards.csv.gz")
        let r = try ws.run(["tokenize", "--create-vault", "--kind", "card", "cards.csv.gz", "--job-id", "bad", "--max-reject-rate", "0.01"])
        #expect(r.status == 65)
        let report = try ws.readReport("bad")
        #expect(report.status == .failed)
        let html = try String(contentsOfFile: ws.path("out/bad.report.html"), encoding: .utf8)
        expectSelfContained(html)
        expectNoNumbers(html, numbers)
        #expect(html.contains("status failed") && html.contains("verdict warn"))
        #expect(html.contains("Run failed: what it committed reconciles"))
        #expect(html.contains(HTML.escape(report.failure ?? "-")))
    }

    @Test func multiRunHTMLReportListsTheRunsWithDailyVolumes() throws {
        let ws = try TestWorkspace()
        try initVault(ws)
        var numbers = try writeCards(ws, "a.csv.gz")
        numbers.formUnion(try writeCards(ws, "b.csv.gz", from: 201))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "a.csv.gz", "--job-id", "first"]).status == 0)
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "b.csv.gz", "--job-id", "second"]).status == 0)

        let r = try ws.run(["report", "--format", "html", "--out", "runs.html", "--since", "2020-01-01"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try mode(ws.path("runs.html")) == 0o600)
        let html = try String(contentsOfFile: ws.path("runs.html"), encoding: .utf8)
        expectSelfContained(html)
        expectNoNumbers(html, numbers)
        #expect(html.contains("Reconciliation of 2 runs") && html.contains(">first<") && html.contains(">second<"))
        #expect(html.contains("Rows per day by outcome"))
        // 670 rows = 500 new + 140 existing + 30 rejected (b repeats 100 of a's cards and 20 of its own).
        #expect(html.contains("670 = 500 + 140 + 30"))

        let one = try ws.run(["report", "second", "--format", "html"])
        #expect(one.status == 0)
        #expect(one.stdout.contains("Reconciliation report") && one.stdout.contains("The vault&#39;s own records agree"))
        expectSelfContained(one.stdout)
    }

    @Test func textReportFitsIn100Columns() throws {
        let ws = try TestWorkspace()
        try initVault(ws)
        let deep = (1...6).map { "folder-with-a-rather-long-name-\($0)" }.joined(separator: "/") + "/cards.csv.gz"
        _ = try writeCards(ws, deep)
        let longID = String(repeating: "nightly-migration-", count: 7) + "x"
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", deep, "--job-id", longID]).status == 0)
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", deep, "--job-id", "short"]).status == 0)
        let r = try ws.run(["report"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count > 10)
        for line in lines { #expect(line.count <= 100, "\(line.count) columns: \(line)") }
        // The 127-character job id has lines of its own, broken at 100 columns.
        #expect(r.stdout.replacingOccurrences(of: "\n", with: "").contains(longID))
        #expect(r.stdout.contains("Reconciles: yes."))
    }

    @Test func verifyJobIDPassesAnHonestRunAndFailsATamperedResultsFile() throws {
        let ws = try TestWorkspace()
        try initVault(ws)
        _ = try writeCards(ws, "cards.csv.gz")
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "cards.csv.gz", "--job-id", "v"]).status == 0)

        let honest = try ws.run(["verify", "v"])
        #expect(honest.status == 0, "\(honest.stdout)\(honest.stderr)")
        #expect(honest.stdout.contains("320 tokens confirmed, 0 mismatches"))

        // A moved input is found again by its SHA-256.
        try FileManager.default.moveItem(atPath: ws.path("cards.csv.gz"), toPath: ws.path("moved.csv.gz"))
        #expect(try ws.run(["verify", "v"]).status == 66)
        #expect(try ws.run(["verify", "v", "--input", "moved.csv.gz"]).status == 0)

        // Two rows' tokens swapped: the hash and the rows both say so.
        let results = ws.path("out/v.results.csv.gz")
        var lines = try ws.readText(results).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var first = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var second = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        (first[3], second[3]) = (second[3], first[3])
        lines[1] = first.joined(separator: ","); lines[2] = second.joined(separator: ",")
        try ws.writeGzip("out/v.results.csv.gz", lines.joined(separator: "\n"))
        let tampered = try ws.run(["verify", "v", "--input", "moved.csv.gz"])
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("is not the results file run v wrote"))
        #expect(tampered.stdout.contains("row 1 (") && tampered.stdout.contains("another token"))
        #expect(tampered.stdout.contains("318 tokens confirmed, 2 mismatches"))
    }
}
