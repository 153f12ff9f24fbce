/// One run as the vault recorded it (`tokenvault report` reads these).
public struct StoredRun: Sendable {
    public let id: Int64
    public let jobID: String
    public let kind: String
    public let status: String
    public let startedAt: String
    public let finishedAt: String?
    public let report: ReconciliationReport?
    /// Instruments this run created (deleted ones included): what its `new` must equal.
    public let tokensCreated: Int
}
