import Foundation

/// The reconciliation report of one run (SPEC §5): `J.report.json`, and the vault's record.
///
/// Invariant: `rows = new + existing + rejected`; for a run alone on its vault,
/// `tokens_after − tokens_before = new`.
public struct ReconciliationReport: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case completed
        case failed
        /// A dry run (SPEC §11): the counts are predictions and the vault was not written.
        case dryRun = "dry-run"
        /// Stopped by SIGINT or SIGTERM: the counts are the committed rows; resumable.
        case interrupted
    }

    public struct Input: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String
        public var bytes: Int
        public var rows: Int
    }

    public struct Counts: Codable, Sendable, Equatable {
        public var rows = 0
        public var new = 0
        public var existing = 0
        public var rejected = 0
        public var warnings = 0
        /// Existing instruments whose expiry or holder name `--on-existing update` replaced;
        /// absent unless the run updates.
        public var updated: Int?
    }

    public struct VaultCounts: Codable, Sendable, Equatable {
        public var tokensBefore: Int
        public var tokensAfter: Int

        enum CodingKeys: String, CodingKey {
            case tokensBefore = "tokens_before"
            case tokensAfter = "tokens_after"
        }
    }

    public var jobID: String
    public var kind: InstrumentKind
    public var status: Status
    public var startedAt: String
    public var finishedAt: String
    public var durationSeconds: Double
    public var rowsPerSecond: Double
    public var inputs: [Input]
    public var counts: Counts
    public var errorsByCode: [String: Int]
    public var byBrand: [String: Int]?
    public var byCountry: [String: Int]?
    public var vault: VaultCounts
    public var failure: String?
    /// Issues by input field (`card_number`, `(row)` for the whole row); absent in older reports.
    public var errorsByField: [String: Int]?
    /// Who ran it, with what (SPEC §12); absent in older reports.
    public var provenance: Provenance?
    /// Rows done over the run, for the throughput chart (bounded; see `ThroughputSampler`).
    public var progress: [ProgressSample]?
    /// The files the run wrote and how it read its inputs, for `verify JOB_ID`.
    public var outputs: RecordedOutputs?

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case kind, status
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationSeconds = "duration_seconds"
        case rowsPerSecond = "rows_per_second"
        case inputs, counts
        case errorsByCode = "errors_by_code"
        case byBrand = "by_brand"
        case byCountry = "by_country"
        case vault, failure
        case errorsByField = "errors_by_field"
        case provenance, progress, outputs
    }

    /// The report as pretty JSON with sorted keys, as written to `J.report.json`.
    public func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    public static func decode(_ text: String) throws -> ReconciliationReport {
        try JSONDecoder().decode(ReconciliationReport.self, from: Data(text.utf8))
    }
}
