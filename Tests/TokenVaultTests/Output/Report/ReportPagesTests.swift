import Foundation
import Testing

@testable import TokenVault

/// The pages built from reports whose every string is hostile, and the daily volumes.
@Suite struct ReportPagesTests {
    static let evil = "<img src=x onerror=alert(1)>\"'&"

    func hostileReport() -> ReconciliationReport {
        var report = ReconciliationReport(
            jobID: "j", kind: .card, status: .failed, startedAt: "2026-12-01T10:00:00Z", finishedAt: "2026-12-01T10:00:02Z",
            durationSeconds: 2, rowsPerSecond: 5, inputs: [.init(path: "/in/\(Self.evil).csv", sha256: "ab", bytes: 9, rows: 10)],
            counts: .init(rows: 10, new: 6, existing: 3, rejected: 1, warnings: 0),
            errorsByCode: [Self.evil: 1], byBrand: [Self.evil: 9], byCountry: nil,
            vault: .init(tokensBefore: 0, tokensAfter: 6), failure: "failed at \(Self.evil)")
        report.errorsByField = [Self.evil: 1]
        report.provenance = .init(toolVersion: Self.evil, masterKeyID: Self.evil, operatorName: Self.evil, host: Self.evil)
        report.progress = [.init(seconds: 0, rows: 0), .init(seconds: 2, rows: 10)]
        return report
    }

    @Test func everyStringOfARunPageIsEscaped() {
        let html = RunReportPage(report: hostileReport(), vaultProblems: [Self.evil]).html()
        #expect(!html.contains("<img"))
        #expect(!html.contains("onerror=alert(1)>"))
        let escaped = HTML.escape(Self.evil)
        // Tool version, key id, operator, host, input path, code, field, failure, problem (the brand
        // label of the chart is cut to 25 characters, also escaped).
        #expect(html.components(separatedBy: escaped).count - 1 == 9)
    }

    @Test func dailyVolumesFillTheDaysBetweenRuns() throws {
        func entry(_ started: String, new: Int) -> RunLedger.Entry {
            var report = hostileReport()
            report.counts = .init(rows: new, new: new, existing: 0, rejected: 0, warnings: 0)
            return RunLedger.Entry(
                run: StoredRun(
                    id: 1, jobID: "j", kind: "card", status: "completed", startedAt: started, finishedAt: nil,
                    report: report, tokensCreated: new),
                problems: [])
        }
        let bars = LedgerReportPage.dailyVolumes([
            entry("2026-11-29T23:59:59Z", new: 5), entry("2026-12-02T00:00:00Z", new: 7), entry("2026-12-02T09:00:00Z", new: 1),
        ])
        #expect(bars.map(\.label) == ["11-29", "11-30", "12-01", "12-02"])
        #expect(bars.map(\.total) == [5, 0, 0, 8])
    }
}
