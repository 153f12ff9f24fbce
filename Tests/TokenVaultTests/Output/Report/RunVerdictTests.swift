import Testing

@testable import TokenVault

/// The verdict a person sees at the top of a run's page.
@Suite struct RunVerdictTests {
    func report(
        status: ReconciliationReport.Status = .completed, rows: Int = 10, new: Int = 6, existing: Int = 3,
        rejected: Int = 1, before: Int = 100, after: Int = 106
    ) -> ReconciliationReport {
        ReconciliationReport(
            jobID: "j", kind: .card, status: status, startedAt: "2026-12-01T00:00:00Z", finishedAt: "2026-12-01T00:00:01Z",
            durationSeconds: 1, rowsPerSecond: 10, inputs: [.init(path: "a.csv", sha256: "00", bytes: 1, rows: rows)],
            counts: .init(rows: rows, new: new, existing: existing, rejected: rejected, warnings: 0),
            errorsByCode: [:], byBrand: [:], byCountry: nil, vault: .init(tokensBefore: before, tokensAfter: after), failure: nil)
    }

    @Test func aCompletedBalancedRunReconciles() {
        let verdict = RunVerdict(report: report())
        #expect(verdict.level == .reconciles)
        #expect(verdict.checks.allSatisfy { $0.passed })
    }

    @Test func rowsThatDoNotAddUpFail() {
        let verdict = RunVerdict(report: report(rows: 11))
        #expect(verdict.level == .fails)
        #expect(verdict.checks[0].detail == "11 ≠ 6 + 3 + 1")
    }

    @Test func aVaultThatMovedByMoreThanNewNeedsAttention() {
        let verdict = RunVerdict(report: report(after: 110))
        #expect(verdict.level == .attention)
        #expect(!verdict.checks[1].passed)
    }

    @Test func aFailedRunThatBalancesNeedsAttention() {
        let verdict = RunVerdict(report: report(status: .failed))
        #expect(verdict.level == .attention)
        #expect(verdict.headline.contains("failed"))
    }
}
