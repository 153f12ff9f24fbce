/// Whether one run's report reconciles, as checks a person can follow (SPEC §5, §12).
struct RunVerdict {
    enum Level: String {
        /// Everything adds up and the run completed.
        case reconciles = "ok"
        /// The numbers add up, but the run did not complete, or the vault moved by more than
        /// this run (another writer at the same time).
        case attention = "warn"
        /// The rows do not add up.
        case fails = "bad"
    }

    struct Check {
        let passed: Bool
        let label: String
        let detail: String
    }

    let level: Level
    let headline: String
    let checks: [Check]

    init(report: ReconciliationReport) {
        let c = report.counts
        let n = ChartNumber.grouped
        let rowsBalance = c.rows == c.new + c.existing + c.rejected
        // A dry run writes nothing: the vault must not have moved. Otherwise it moved by `new`.
        let dryRun = report.status.rawValue == "dry-run"
        let expectedDelta = dryRun ? 0 : c.new
        let delta = report.vault.tokensAfter - report.vault.tokensBefore
        let inputRows = report.inputs.reduce(0) { $0 + $1.rows }
        checks = [
            Check(
                passed: rowsBalance, label: "rows = new + existing + rejected",
                detail: "\(n(c.rows)) \(rowsBalance ? "=" : "≠") \(n(c.new)) + \(n(c.existing)) + \(n(c.rejected))"),
            Check(
                passed: delta == expectedDelta, label: dryRun ? "tokens after − before = 0 (dry run)" : "tokens after − before = new",
                detail:
                    "\(n(report.vault.tokensAfter)) − \(n(report.vault.tokensBefore)) = \(n(delta)) \(delta == expectedDelta ? "=" : "≠") \(n(expectedDelta))"
            ),
            Check(
                passed: inputRows == c.rows, label: "rows of the inputs = rows",
                detail: "\(n(inputRows)) \(inputRows == c.rows ? "=" : "≠") \(n(c.rows))"),
        ]
        let status = report.status.rawValue
        if !rowsBalance || inputRows != c.rows {
            level = .fails
            headline = "Does not reconcile: the rows do not add up"
        } else if delta != expectedDelta {
            level = .attention
            headline = "Rows reconcile; the vault moved by \(n(delta)) tokens, not \(n(expectedDelta)) (another writer at the same time?)"
        } else if report.status == .completed {
            level = .reconciles
            headline = "Reconciles"
        } else if dryRun {
            level = .reconciles
            headline = "Dry run reconciles: nothing was written to the vault"
        } else {
            level = .attention
            headline = "Run \(status): what it committed reconciles"
        }
    }
}
