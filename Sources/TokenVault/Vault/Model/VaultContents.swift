/// Everything a vault holds besides its instruments, as stored: metadata, wrapped keys, runs
/// with their inputs, and the audit trail. Small next to the instruments, so copied whole.
struct VaultContents: Sendable, Equatable {
    struct Run: Sendable, Equatable {
        var id: Int64
        var jobID: String
        var kind: String
        var status: String
        var startedAt: String
        var finishedAt: String?
        var tokensBefore: Int64
        var tokensAfter: Int64?
        var report: String?
    }

    struct RunInput: Sendable, Equatable {
        var runID: Int64
        var position: Int
        var path: String
        var sha256: String
        var bytes: Int64
        var rows: Int64
    }

    struct Audit: Sendable, Equatable {
        var id: Int64
        var entry: AuditEntry
    }

    /// `vault_meta`, by key.
    var meta: [String: String]
    var dataKeys: [WrappedKey]
    var fingerprintKeys: [WrappedKey]
    var runs: [Run]
    var runInputs: [RunInput]
    var audit: [Audit]
}
