import ArgumentParser
import Foundation
import TokenVault

/// `tokenvault report`: reconciliation from the vault's own records of every run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reconciliation report of runs, from the vault's records.",
        discussion: """
            Text fits in 100 columns. --format html writes one self-contained page (inline CSS and \
            SVG, nothing loaded from anywhere, prints on A4): one run's full report with a job id, \
            else the runs as a table with a chart of daily volumes. Exits 1 when a run or the \
            totals do not reconcile.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv, html }

    @Argument(help: "One job id (default: every run).")
    var jobID: String?

    @OptionGroup var since: SinceOption

    @Option(help: "Output format.")
    var format: Format = .text

    @Option(help: ArgumentHelp("Write the report to this file (mode 0600); `-` or none: stdout.", valueName: "file"))
    var out: String?

    @OptionGroup var vaultOptions: VaultOptions
    @OptionGroup var reporting: ReportingOptions

    func run() throws {
        try ExitStatus.withRecords(vaultOptions, reporting) { records in
            let ledger = try RunLedger(vault: records, jobID: jobID, since: since.date)
            let text: String =
                switch format {
                case .text: LedgerText.text(ledger) + "\n"
                case .json: LedgerText.json(ledger) + "\n"
                case .csv: LedgerText.csv(ledger)
                case .html: html(ledger)
                }
            if let out, out != "-" {
                try ReportFile.write(text, to: out)
                if !reporting.quiet { FileHandle.standardError.write(Data("Report written to \(out).\n".utf8)) }
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            if !ledger.reconciles {
                throw TokenVaultError(.verificationFailed, "the runs do not reconcile with the vault (see the report)")
            }
        }
    }

    /// One run's page when a job id names a run with a report, else the page of runs.
    private func html(_ ledger: RunLedger) -> String {
        if jobID != nil, let entry = ledger.entries.first, let report = entry.run.report {
            return RunReportPage(report: report, vaultProblems: entry.problems).html()
        }
        let scope =
            jobID.map { "Job \($0)" }
            ?? since.since.map { "Runs started on or after \($0)" } ?? "Every run in the vault"
        return LedgerReportPage(ledger: ledger, scope: scope).html()
    }
}
