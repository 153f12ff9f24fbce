import ArgumentParser
import Foundation
import TokenVault

/// `tokenvault report`: reconciliation from the vault's own records of every run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reconciliation report of runs, from the vault's records.",
        discussion: "Exits 1 when a run or the totals do not reconcile.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

    @Argument(help: "One job id (default: every run).")
    var jobID: String?

    @OptionGroup var since: SinceOption

    @Option(help: "Output format.")
    var format: Format = .text

    @OptionGroup var vaultOptions: VaultOptions
    @OptionGroup var reporting: ReportingOptions

    func run() throws {
        try ExitStatus.withRecords(vaultOptions, reporting) { records in
            let ledger = try RunLedger(vault: records, jobID: jobID, since: since.date)
            switch format {
            case .text: print(LedgerText.text(ledger))
            case .json: print(LedgerText.json(ledger))
            case .csv: print(LedgerText.csv(ledger), terminator: "")
            }
            if !ledger.reconciles {
                throw TokenVaultError(.verificationFailed, "the runs do not reconcile with the vault (see the report)")
            }
        }
    }
}

/// The ledger written as text, JSON or CSV.
enum LedgerText {
    static func text(_ ledger: RunLedger) -> String {
        // Column widths; numbers are right-aligned.
        let widths = [34, 12, 9, 20, -9, -9, -9, -9, -8, -8, -9, 0]
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { cell, width in
                let pad = String(repeating: " ", count: max(0, abs(width) - cell.count))
                return width < 0 ? pad + cell : cell + pad
            }.joined(separator: " ")
        }
        var lines = [line(["job id", "kind", "status", "started", "rows", "new", "existing", "rejected", "warnings", "seconds", "rows/s", "reconciles"])]
        for entry in ledger.entries {
            let run = entry.run
            let c = run.report?.counts
            func n(_ value: Int?) -> String { value.map { Formatting.grouped($0) } ?? "-" }
            lines.append(line([run.jobID, run.kind, run.status, run.startedAt, n(c?.rows), n(c?.new), n(c?.existing),
                               n(c?.rejected), n(c?.warnings), run.report.map { String(format: "%.1f", $0.durationSeconds) } ?? "-",
                               n(run.report.map { Int($0.rowsPerSecond) }),
                               entry.problems.isEmpty ? (run.report == nil ? "unfinished (\(run.tokensCreated) tokens so far)" : "yes") : "NO: " + entry.problems.joined(separator: "; ")]))
            for input in run.report?.inputs ?? [] {
                lines.append("    \(input.path)  sha256 \(input.sha256)  \(Formatting.grouped(input.bytes)) bytes  \(Formatting.grouped(input.rows)) rows")
            }
        }
        let t = ledger.totals
        lines.append("")
        lines.append("Totals over \(ledger.entries.count) runs: \(Formatting.grouped(t.rows)) rows = \(Formatting.grouped(t.new)) new + \(Formatting.grouped(t.existing)) existing + \(Formatting.grouped(t.rejected)) rejected; \(Formatting.grouped(t.warnings)) warnings.")
        if !ledger.errorsByCode.isEmpty {
            lines.append("Errors by code: " + ledger.errorsByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        lines.append("Tokens created by these runs: \(Formatting.grouped(ledger.tokensCreated)) (sum of new \(Formatting.grouped(t.new))"
                     + (ledger.unfinishedTokens > 0 ? " + \(Formatting.grouped(ledger.unfinishedTokens)) by unfinished runs" : "") + ").")
        lines.append("Vault: \(Formatting.grouped(ledger.vaultTokens)) live tokens, \(Formatting.grouped(ledger.vaultInstruments)) ever created.")
        lines.append(ledger.reconciles ? "Reconciles: yes." : "Reconciles: NO.")
        return lines.joined(separator: "\n")
    }

    static func json(_ ledger: RunLedger) -> String {
        var runs: [[String: Any]] = []
        for entry in ledger.entries {
            var object: [String: Any] = [
                "job_id": entry.run.jobID, "kind": entry.run.kind, "status": entry.run.status,
                "started_at": entry.run.startedAt, "tokens_created": entry.run.tokensCreated,
                "reconciles": entry.problems.isEmpty, "problems": entry.problems,
            ]
            if let finished = entry.run.finishedAt { object["finished_at"] = finished }
            if let report = entry.run.report, let data = try? JSONEncoder().encode(report),
               let decoded = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                for key in ["inputs", "counts", "errors_by_code", "by_brand", "by_country", "duration_seconds", "rows_per_second", "failure"] {
                    if let value = decoded[key] { object[key] = value }
                }
            }
            runs.append(object)
        }
        let t = ledger.totals
        let document: [String: Any] = [
            "runs": runs,
            "totals": ["runs": ledger.entries.count, "rows": t.rows, "new": t.new, "existing": t.existing,
                       "rejected": t.rejected, "warnings": t.warnings, "errors_by_code": ledger.errorsByCode,
                       "tokens_created": ledger.tokensCreated, "tokens_created_by_unfinished_runs": ledger.unfinishedTokens],
            "vault": ["live_tokens": ledger.vaultTokens, "instruments_created": ledger.vaultInstruments],
            "reconciles": ledger.reconciles,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func csv(_ ledger: RunLedger) -> String {
        var out = "job_id,kind,status,started_at,finished_at,inputs,input_sha256,rows,new,existing,rejected,warnings,duration_seconds,rows_per_second,tokens_created,reconciles\n"
        for entry in ledger.entries {
            let r = entry.run.report
            let fields: [String] = [
                entry.run.jobID, entry.run.kind, entry.run.status, entry.run.startedAt, entry.run.finishedAt ?? "",
                r?.inputs.map(\.path).joined(separator: " ") ?? "", r?.inputs.map(\.sha256).joined(separator: " ") ?? "",
                r.map { "\($0.counts.rows)" } ?? "", r.map { "\($0.counts.new)" } ?? "", r.map { "\($0.counts.existing)" } ?? "",
                r.map { "\($0.counts.rejected)" } ?? "", r.map { "\($0.counts.warnings)" } ?? "",
                r.map { "\($0.durationSeconds)" } ?? "", r.map { "\(Int($0.rowsPerSecond))" } ?? "",
                "\(entry.run.tokensCreated)", entry.problems.isEmpty ? "true" : "false",
            ]
            out += CSVText.line(fields)
        }
        return out
    }
}
