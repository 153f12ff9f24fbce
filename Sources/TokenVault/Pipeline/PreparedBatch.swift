import Foundation

/// A batch after the workers: each row validated, and each valid one fingerprinted and sealed
/// under a candidate token. The vault writer then fills in `status` and `token`.
struct PreparedBatch: Sendable {
    var sequence: Int
    var inputIndex: Int
    /// The rows as the workers left them; the writer does not change them (no copy-on-write).
    var rows: [PreparedRow]
    /// The writer's decision for each row, same indices as `rows`.
    var resolutions: [Resolution] = []
    /// Counts known before the vault: rows, rejections, issues by code, valid rows by brand or country.
    var tally = RunTally()
    /// Column names or keys that feed no field (collected from the first rows of a file).
    var unknownKeys: Set<String> = []
    /// Seconds of worker time spent preparing this batch.
    var prepareSeconds: Double = 0
}

/// What the vault writer decided for one row.
struct Resolution: Sendable {
    var status: RowStatus
    /// The token reported: the candidate when new, the vault's when existing; nil for rejected
    /// rows and for instruments a dry run predicts new.
    var token: Token?
    /// The vault's record of an existing instrument (after an update, the updated one): results
    /// show what the vault holds, not the row (SPEC §10).
    var stored: StoredInstrument?
    /// True when `--on-existing update` replaced the stored expiry or holder name with the row's.
    var updated = false
    /// What a result shows of `stored`, opened on a worker before formatting.
    var shown: ShownRecord?
    /// The record the row's fingerprint matched (existing, or this run's own on resume): its
    /// binding to the fingerprint is checked before any result line names its token.
    var matched: MatchedRecord?

    static let rejected = Resolution(status: .rejected)
}

/// The stored fields a result row shows for an existing instrument.
struct ShownRecord: Sendable {
    var alias: String?
    var expiry: YearMonth?
    var hasNetworkToken: Bool
}

/// A vault record found by fingerprint, as sealed.
struct MatchedRecord: Sendable {
    var sealed: [UInt8]
    var dataKey: Int
}

/// One row on its way through the pipeline.
struct PreparedRow: Sendable {
    var row: Int
    /// The caller's reference, echoed in outputs; nil when absent or withheld because it held
    /// the number.
    var reference: String?
    var issues: [RowIssue]
    /// The kept columns' values (`--keep-column`), in order; empty strings for absent or
    /// withheld values, and no array at all when nothing is kept.
    var kept: [String] = []
    /// Set for rows that passed validation.
    var instrument: PreparedInstrument?
}

/// What the vault needs of a valid row; nothing here is in clear but the display fields.
struct PreparedInstrument: Sendable {
    var fingerprint: Fingerprint
    var candidateToken: Token
    var sealed: Data
    var display: InstrumentDisplay
}

/// A row's outcome, as the result file's `status` column says it.
enum RowStatus: String, Sendable {
    case new
    case existing
    case rejected
}
