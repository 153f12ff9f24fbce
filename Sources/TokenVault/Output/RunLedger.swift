import Foundation

/// The reconciliation of a vault's runs (`tokenvault report`), from the vault's own records.
///
/// Each run must satisfy `rows = new + existing + rejected`, and its `new` must equal the
/// tokens the vault records as created by it; over the runs, the sum of `new` equals the tokens
/// created. A run left unfinished by a crash has no report yet and is listed as such.
public struct RunLedger: Sendable {
    public struct Entry: Sendable {
        public let run: StoredRun
        /// Why this run does not reconcile; empty when it does.
        public let problems: [String]
    }

    public let entries: [Entry]
    public let totals: ReconciliationReport.Counts
    public let errorsByCode: [String: Int]
    /// Tokens the listed runs created, by the vault's records.
    public let tokensCreated: Int
    /// Live tokens in the vault now, and instruments ever created (deleted ones included).
    public let vaultTokens: Int
    public let vaultInstruments: Int
    /// True when every run and the totals reconcile.
    public var reconciles: Bool { entries.allSatisfy { $0.problems.isEmpty } && totals.new + unfinishedTokens == tokensCreated }
    /// Tokens created by runs that have no report (crashed, or running now).
    public var unfinishedTokens: Int { entries.filter { $0.run.report == nil }.reduce(0) { $0 + $1.run.tokensCreated } }

    public init(vault: VaultRecords, jobID: String? = nil, since: Date? = nil) throws {
        let runs = try vault.storedRuns(jobID: jobID, since: since)
        if let jobID, runs.isEmpty { throw TokenVaultError(.usage, "the vault has no run with job id \(jobID)") }
        var totals = ReconciliationReport.Counts()
        var errors: [String: Int] = [:]
        entries = runs.map { run in
            guard let report = run.report else {
                return Entry(run: run, problems: run.status == "running" ? [] : ["no report recorded"])
            }
            var problems: [String] = []
            let c = report.counts
            if c.rows != c.new + c.existing + c.rejected {
                problems.append("rows \(c.rows) ≠ new \(c.new) + existing \(c.existing) + rejected \(c.rejected)")
            }
            if c.new != run.tokensCreated {
                problems.append("reports \(c.new) new, the vault holds \(run.tokensCreated) tokens created by it")
            }
            totals.rows += c.rows
            totals.new += c.new
            totals.existing += c.existing
            totals.rejected += c.rejected
            totals.warnings += c.warnings
            errors.merge(report.errorsByCode, uniquingKeysWith: +)
            return Entry(run: run, problems: problems)
        }
        self.totals = totals
        errorsByCode = errors
        tokensCreated = runs.reduce(0) { $0 + $1.tokensCreated }
        vaultTokens = try vault.tokenCount()
        vaultInstruments = try vault.instrumentCount()
    }
}
