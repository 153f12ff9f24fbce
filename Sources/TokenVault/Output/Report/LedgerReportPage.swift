import Foundation

/// `tokenvault report --format html`: many runs on one self-contained page (SPEC §12): the
/// overall verdict, totals, a chart of daily volumes and the runs as a table.
public struct LedgerReportPage {
    public let ledger: RunLedger
    /// What was asked for, shown under the title (`since 2026-12-01`).
    public let scope: String
    let generatedAt: Date

    public init(ledger: RunLedger, scope: String, generatedAt: Date = Date()) {
        self.ledger = ledger
        self.scope = scope
        self.generatedAt = generatedAt
    }

    public func html() -> String {
        let n = ChartNumber.grouped
        let t = ledger.totals
        var page = HTML()
        ReportPageFrame.begin(&page, title: "tokenvault runs report")
        page.element("h1", text: "Reconciliation of \(n(ledger.entries.count)) \(ledger.entries.count == 1 ? "run" : "runs")")
        page.element("p", ["class": "sub"], text: scope)
        let failing = ledger.entries.filter { !$0.problems.isEmpty }
        let notCompleted = ledger.entries.filter { $0.run.status != "completed" && $0.run.status != "dry-run" }
        let level: RunVerdict.Level = !ledger.reconciles ? .fails : notCompleted.isEmpty ? .reconciles : .attention
        let headline =
            switch level {
            case .fails: "Does not reconcile: \(n(failing.count)) of \(n(ledger.entries.count)) runs disagree with the vault"
            case .attention: "Reconciles; \(n(notCompleted.count)) \(notCompleted.count == 1 ? "run" : "runs") did not complete"
            case .reconciles: "Reconciles"
            }
        let createdExpected = t.new + ledger.unfinishedTokens
        ReportPageFrame.verdict(
            &page, level: level, headline: headline,
            checks: [
                .init(
                    passed: t.rows == t.new + t.existing + t.rejected, label: "rows = new + existing + rejected (all runs)",
                    detail: "\(n(t.rows)) = \(n(t.new)) + \(n(t.existing)) + \(n(t.rejected))"),
                .init(
                    passed: createdExpected == ledger.tokensCreated, label: "tokens the vault records as created by these runs = new",
                    detail: "\(n(ledger.tokensCreated)) \(createdExpected == ledger.tokensCreated ? "=" : "≠") \(n(t.new))"
                        + (ledger.unfinishedTokens > 0 ? " + \(n(ledger.unfinishedTokens)) by unfinished runs" : "")),
                .init(
                    passed: failing.isEmpty, label: "every run reconciles on its own",
                    detail: failing.isEmpty ? "\(n(ledger.entries.count)) of \(n(ledger.entries.count))" : "\(n(failing.count)) do not"),
            ])

        page.element("section") { s in
            s.element("h2", text: "Totals")
            ReportPageFrame.tiles(
                &s,
                [
                    ("runs", n(ledger.entries.count)), ("rows", n(t.rows)), ("new", n(t.new)), ("existing", n(t.existing)),
                    ("rejected", n(t.rejected)), ("warnings", n(t.warnings)), ("live tokens in the vault", n(ledger.vaultTokens)),
                    ("instruments ever created", n(ledger.vaultInstruments)),
                ])
        }

        page.element("section") { s in
            s.element("h2", text: "Daily volumes (UTC, by start of run)")
            s.raw(
                BarChart(
                    title: "Rows per day by outcome", series: ["new", "existing", "rejected"],
                    bars: LedgerReportPage.dailyVolumes(ledger.entries)
                ).svg())
        }

        page.element("section", ["class": "long"]) { s in
            s.element("h2", text: "Runs")
            s.element("table") { table in
                table.element("thead") { h in
                    h.element("tr") { r in
                        r.element("th", text: "job id / started")
                        r.element("th", text: "kind / status")
                        for name in ["rows", "new", "existing", "rejected"] { r.element("th", ["class": "num"], text: name) }
                        r.element("th", text: "reconciles")
                    }
                }
                table.element("tbody") { b in
                    for entry in ledger.entries {
                        let run = entry.run, c = run.report?.counts
                        b.element("tr") { r in
                            r.element("td") { cell in
                                cell.element("div", ["class": "mono wrap"], text: run.jobID)
                                cell.element("div", ["class": "sub"], text: run.startedAt)
                            }
                            r.element("td") { cell in
                                cell.element("div", text: run.kind)
                                cell.element("div", ["class": "status \(run.status)"], text: run.status)
                            }
                            for value in [c?.rows, c?.new, c?.existing, c?.rejected] {
                                r.element("td", ["class": "num"], text: value.map(n) ?? "-")
                            }
                            r.element("td", ["class": entry.problems.isEmpty ? "pass wrap" : "fail wrap"]) { cell in
                                cell.element("span", ["class": "mark"], text: entry.problems.isEmpty ? "✓" : "✗")
                                cell.text(
                                    entry.problems.isEmpty
                                        ? (run.report == nil ? "unfinished (\(n(run.tokensCreated)) tokens so far)" : "yes")
                                        : entry.problems.joined(separator: "; "))
                            }
                        }
                    }
                    if ledger.entries.isEmpty { b.element("tr") { r in r.element("td", text: "no runs") } }
                }
            }
        }

        page.element("section") { s in
            s.element("h2", text: "Errors")
            ReportPageFrame.countTable(&s, title: "By code, over all runs", header: "code", ledger.errorsByCode, total: nil)
        }
        ReportPageFrame.end(&page, generatedAt: generatedAt)
        return page.text
    }

    /// Rows per UTC day (new, existing, rejected), every day from the first run to the last
    /// (at most 366 days; beyond that only days with runs).
    static func dailyVolumes(_ entries: [RunLedger.Entry]) -> [BarChart.Bar] {
        var byDay: [String: [Double]] = [:]
        for entry in entries {
            let day = String(entry.run.startedAt.prefix(10))
            let c = entry.run.report?.counts ?? .init()
            let values = [Double(c.new), Double(c.existing), Double(c.rejected)]
            byDay[day] = zip(byDay[day] ?? [0, 0, 0], values).map(+)
        }
        var days = byDay.keys.sorted()
        if let first = days.first.flatMap(Timestamp.parse), let last = days.last.flatMap(Timestamp.parse) {
            let span = Int(last.timeIntervalSince(first) / 86_400)
            if span <= 366 {
                days = (0...span).map { String(Timestamp.iso8601(first.addingTimeInterval(Double($0) * 86_400)).prefix(10)) }
            }
        }
        return days.map { day in
            BarChart.Bar(label: String(day.dropFirst(5)), values: byDay[day] ?? [0, 0, 0])
        }
    }
}
