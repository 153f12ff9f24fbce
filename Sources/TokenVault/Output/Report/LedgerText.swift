import Foundation

/// The ledger of `tokenvault report` as text (at most 100 columns), JSON or CSV.
package enum LedgerText {
    /// One heading line per run, then its counts, inputs and any problem, each wrapped to
    /// `TextWrap.width` columns. A job id too long for its column gets a line of its own.
    package static func text(_ ledger: RunLedger) -> String {
        let n = ChartNumber.grouped
        let columns = [(39, "job id"), (12, "kind"), (11, "status"), (21, "started")]
        func heading(_ cells: [String]) -> String {
            zip(cells, columns).map { TextWrap.cell($0, $1.0) }.joined(separator: " ")
        }
        var lines = [heading(columns.map(\.1)) + " reconciles"]
        for entry in ledger.entries {
            let run = entry.run
            let reconciles =
                !entry.problems.isEmpty
                ? "NO"
                : run.report == nil ? "unfinished" : "yes"
            var jobCell = run.jobID
            if jobCell.count > columns[0].0 {
                lines += TextWrap.wrap(run.jobID)
                jobCell = ""
            }
            lines.append(heading([jobCell, run.kind, run.status, run.startedAt]) + " " + reconciles)
            if let report = run.report {
                let c = report.counts
                lines += TextWrap.wrap(
                    "  rows \(n(c.rows)) = \(n(c.new)) new + \(n(c.existing)) existing + \(n(c.rejected)) rejected; "
                        + "\(n(c.warnings)) warnings; \(String(format: "%.1f", report.durationSeconds)) s, "
                        + "\(n(Int(report.rowsPerSecond))) rows/s", indent: "    ")
                for input in report.inputs {
                    lines += TextWrap.wrap("  input \(input.path): \(n(input.bytes)) bytes, \(n(input.rows)) rows", indent: "    ")
                    lines.append("    sha256 \(input.sha256)")
                }
            } else if entry.problems.isEmpty {
                lines.append("  unfinished: \(n(run.tokensCreated)) tokens created so far")
            }
            for problem in entry.problems { lines += TextWrap.wrap("  NO: \(problem)", indent: "    ") }
        }
        let t = ledger.totals
        lines.append("")
        lines += TextWrap.wrap(
            "Totals over \(n(ledger.entries.count)) runs: \(n(t.rows)) rows = \(n(t.new)) new + "
                + "\(n(t.existing)) existing + \(n(t.rejected)) rejected; \(n(t.warnings)) warnings.", indent: "  ")
        if !ledger.errorsByCode.isEmpty {
            lines += TextWrap.wrap(
                "Errors by code: "
                    + ledger.errorsByCode.sorted { $0.key < $1.key }
                    .map { "\($0.key) \(n($0.value))" }.joined(separator: ", "), indent: "  ")
        }
        lines += TextWrap.wrap(
            "Tokens created by these runs: \(n(ledger.tokensCreated)) (sum of new \(n(t.new))"
                + (ledger.unfinishedTokens > 0 ? " + \(n(ledger.unfinishedTokens)) by unfinished runs" : "") + ").", indent: "  ")
        lines += TextWrap.wrap("Vault: \(n(ledger.vaultTokens)) live tokens, \(n(ledger.vaultInstruments)) ever created.", indent: "  ")
        lines.append(ledger.reconciles ? "Reconciles: yes." : "Reconciles: NO.")
        return lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }.joined(separator: "\n")
    }

    package static func json(_ ledger: RunLedger) -> String {
        var runs: [[String: Any]] = []
        for entry in ledger.entries {
            var object: [String: Any] = [
                "job_id": entry.run.jobID, "kind": entry.run.kind, "status": entry.run.status,
                "started_at": entry.run.startedAt, "tokens_created": entry.run.tokensCreated,
                "reconciles": entry.problems.isEmpty, "problems": entry.problems,
            ]
            if let finished = entry.run.finishedAt { object["finished_at"] = finished }
            if let report = entry.run.report, let data = try? JSONEncoder().encode(report),
                let decoded = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            {
                for key in [
                    "inputs", "counts", "errors_by_code", "by_brand", "by_country", "duration_seconds", "rows_per_second", "failure",
                ] {
                    if let value = decoded[key] { object[key] = value }
                }
            }
            runs.append(object)
        }
        let t = ledger.totals
        let document: [String: Any] = [
            "runs": runs,
            "totals": [
                "runs": ledger.entries.count, "rows": t.rows, "new": t.new, "existing": t.existing,
                "rejected": t.rejected, "warnings": t.warnings, "errors_by_code": ledger.errorsByCode,
                "tokens_created": ledger.tokensCreated, "tokens_created_by_unfinished_runs": ledger.unfinishedTokens,
            ],
            "vault": ["live_tokens": ledger.vaultTokens, "instruments_created": ledger.vaultInstruments],
            "reconciles": ledger.reconciles,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    package static func csv(_ ledger: RunLedger) -> String {
        var out =
            "job_id,kind,status,started_at,finished_at,inputs,input_sha256,rows,new,existing,rejected,warnings,duration_seconds,rows_per_second,tokens_created,reconciles\n"
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
