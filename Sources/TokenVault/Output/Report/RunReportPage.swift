import Foundation

/// `J.report.html`: one run's reconciliation as a self-contained page (SPEC §12).
///
/// Inline CSS and SVG only: no script, no font, image or style sheet from anywhere, so it opens
/// in any browser, offline, and prints on A4. It shows what the report holds and nothing else:
/// counts, names and hashes, never a number from the input.
public struct RunReportPage {
    public let report: ReconciliationReport
    /// What the vault's records say about this run, when the page comes from `report JOB_ID`.
    public let vaultProblems: [String]?
    let generatedAt: Date

    public init(report: ReconciliationReport, vaultProblems: [String]? = nil, generatedAt: Date = Date()) {
        self.report = report
        self.vaultProblems = vaultProblems
        self.generatedAt = generatedAt
    }

    public func html() -> String {
        let verdict = RunVerdict(report: report)
        let n = ChartNumber.grouped
        var page = HTML()
        ReportPageFrame.begin(&page, title: "tokenvault report \(report.jobID)")
        page.element("h1", text: "Reconciliation report")
        page.element("p", ["class": "sub"]) { p in
            p.text("Job ")
            p.element("span", ["class": "mono"], text: report.jobID)
            p.text(" · \(report.kind.rawValue) · ")
            p.element("span", ["class": "status \(report.status.rawValue)"], text: report.status.rawValue)
        }
        ReportPageFrame.verdict(&page, level: verdict.level, headline: verdict.headline, checks: verdict.checks)
        if let vaultProblems {
            let agrees = vaultProblems.isEmpty
            page.element("p", ["class": agrees ? "pass" : "fail"]) { p in
                p.element("span", ["class": "mark"], text: agrees ? "✓" : "✗")
                p.text(
                    agrees
                        ? "The vault's own records agree with this report (tokens created by the run = new)."
                        : "The vault's records disagree: " + vaultProblems.joined(separator: "; "))
            }
        }
        if let failure = report.failure {
            page.element("p", ["class": "failure"], text: "Why the run stopped: \(failure)")
        }

        page.element("section") { s in
            s.element("h2", text: "Reconciliation")
            let c = report.counts
            ReportPageFrame.tiles(
                &s,
                [
                    ("rows", n(c.rows)), ("new", n(c.new)), ("existing", n(c.existing)), ("rejected", n(c.rejected)),
                    ("warnings", n(c.warnings)), ("tokens before", n(report.vault.tokensBefore)),
                    ("tokens after", n(report.vault.tokensAfter)),
                    ("difference", n(report.vault.tokensAfter - report.vault.tokensBefore)),
                ])
            s.raw(
                BarChart(
                    title: "Rows by outcome", series: ["new", "existing", "rejected"],
                    bars: [.init(label: "rows", values: [Double(c.new), Double(c.existing), Double(c.rejected)])],
                    orientation: .horizontal
                ).svg())
        }

        page.element("section") { s in
            s.element("h2", text: "Run")
            s.element("table", ["class": "facts"]) { t in
                let provenance = report.provenance
                let rows: [(String, String)] = [
                    ("Job id", report.jobID), ("Kind", report.kind.rawValue), ("Status", report.status.rawValue),
                    ("Started", report.startedAt), ("Finished", report.finishedAt),
                    ("Duration", String(format: "%.3f s", report.durationSeconds)),
                    ("Throughput", "\(n(Int(report.rowsPerSecond))) rows/s"),
                    ("Tool version", provenance?.toolVersion ?? "not recorded"),
                    ("Master key id", provenance.map { "\($0.masterKeyID) (a public identifier, not the key)" } ?? "not recorded"),
                    ("Operator (OS user)", provenance?.operatorName ?? "not recorded"),
                    ("Host", provenance?.host ?? "not recorded"),
                ]
                for (name, value) in rows {
                    t.element("tr") { r in
                        r.element("th", text: name)
                        r.element("td", ["class": "wrap"], text: value)
                    }
                }
            }
            s.element("h2", text: "Inputs")
            ReportPageFrame.inputs(&s, report.inputs)
            if let outputs = report.outputs {
                s.element("p", ["class": "wrap"]) { p in
                    p.text("Results file: ")
                    p.element("span", ["class": "mono"], text: outputs.results.path)
                    p.text(" (\(n(outputs.results.bytes)) bytes), SHA-256 ")
                    p.element("span", ["class": "hash"], text: outputs.results.sha256)
                }
            }
        }

        page.element("section") { s in
            s.element("h2", text: "Errors")
            s.element("div", ["class": "cols"]) { cols in
                cols.element("div") { d in
                    ReportPageFrame.countTable(&d, title: "By code", header: "code", report.errorsByCode, total: nil)
                }
                cols.element("div") { d in
                    ReportPageFrame.countTable(&d, title: "By field", header: "field", report.errorsByField ?? [:], total: nil)
                }
            }
            if report.errorsByField == nil {
                s.element("p", ["class": "sub"], text: "This report predates counts by field.")
            }
        }

        let groups = report.byBrand ?? report.byCountry ?? [:]
        let groupName = report.kind == .card ? "Brands" : "Countries"
        page.element("section") { s in
            s.element("h2", text: "\(groupName) (valid rows)")
            let sorted = groups.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            s.raw(
                BarChart(
                    title: "Valid rows by \(groupName.lowercased())", series: ["rows"],
                    bars: sorted.prefix(16).map { .init(label: $0.key, values: [Double($0.value)]) },
                    orientation: .horizontal
                ).svg())
            if sorted.count > 16 {
                s.element("p", ["class": "sub"], text: "\(sorted.count - 16) more not drawn; all are in the JSON report.")
            }
        }

        page.element("section") { s in
            s.element("h2", text: "Throughput")
            let samples = report.progress ?? []
            s.raw(
                LineChart(
                    title: "Rows written over the run", points: samples.map { .init(x: $0.seconds, y: Double($0.rows)) },
                    xLabel: "seconds since start", yLabel: "rows written"
                ).svg())
            s.element(
                "p", ["class": "sub"],
                text: samples.isEmpty
                    ? "This report predates throughput samples."
                    : "Average \(n(Int(report.rowsPerSecond))) rows/s over \(String(format: "%.1f", report.durationSeconds)) s "
                        + "(the slope of the line; flat parts are pauses). Peak \(n(Int(RunReportPage.peakRate(samples)))) rows/s "
                        + "between two of the \(samples.count) samples.")
        }
        ReportPageFrame.end(&page, generatedAt: generatedAt)
        return page.text
    }

    /// The highest rate between two consecutive samples at least half a second apart.
    static func peakRate(_ samples: [ReconciliationReport.ProgressSample]) -> Double {
        zip(samples, samples.dropFirst()).reduce(0) { peak, pair in
            let (a, b) = pair
            let seconds = b.seconds - a.seconds
            return seconds >= 0.5 ? max(peak, Double(b.rows - a.rows) / seconds) : peak
        }
    }
}
