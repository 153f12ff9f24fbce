/// What the vault recorded of a job id that ran before: how it ended and what it read, so a
/// reused job id can be matched to its inputs before anything is written (SPEC §10).
struct PriorRun: Sendable {
    /// `running`, `completed`, `failed` or `interrupted`.
    let status: String
    let kind: String
    /// The inputs' hashes in order, recorded when the run started (empty when it read standard
    /// input, or ran before inputs were recorded at the start).
    let inputs: [InputDigest]
    let report: ReconciliationReport?
}
