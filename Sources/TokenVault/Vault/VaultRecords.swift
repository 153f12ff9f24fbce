import Foundation

/// What the vault records about itself, read without decrypting anything: runs, counts, the
/// audit trail and key versions. `report`, `audit` and `keys status` need no master key for it.
public final class VaultRecords {
    let store: any VaultStore
    /// The identifier of the master key that was checked against the vault, if one was given.
    public let masterKeyID: String?

    init(store: any VaultStore, masterKeyID: String?) {
        self.store = store
        self.masterKeyID = masterKeyID
    }

    /// Live (not deleted) tokens.
    public func tokenCount() throws -> Int { try store.liveTokenCount() }

    /// Every instrument ever created, deleted ones included.
    public func instrumentCount() throws -> Int { try store.instrumentCount() }

    /// Runs, oldest first, optionally one job id or those started since a date.
    public func storedRuns(jobID: String? = nil, since: Date? = nil) throws -> [StoredRun] {
        try store.storedRuns(jobID: jobID, since: since.map(Timestamp.iso8601))
    }

    /// The audit trail, oldest first, optionally since a date.
    public func auditEntries(since: Date? = nil) throws -> [AuditEntry] {
        try store.auditEntries(since: since.map(Timestamp.iso8601))
    }

    /// Key versions, records per data key and token counts.
    public func keyStatus() throws -> KeyStatus {
        let perVersion = try store.recordCountsByDataKey()
        let versions = try store.keyVersions()
        return KeyStatus(
            masterKeyID: masterKeyID,
            dataKeys: try store.dataKeys().map {
                KeyStatus.DataKey(
                    version: $0.version, createdAt: $0.createdAt, records: perVersion[$0.version] ?? 0,
                    active: $0.version == versions.activeDataKey)
            },
            fingerprintKeyVersion: versions.fingerprintKey,
            fingerprintKeyCreatedAt: try store.fingerprintKey(version: versions.fingerprintKey)?.createdAt ?? "",
            liveTokens: try store.liveTokenCount(), deletedTokens: try store.deletedInstrumentCount())
    }
}
