import Foundation

/// Everything the vault keeps, as one contract: instruments and their fingerprints, runs and
/// their resume state, job locks, the audit trail, wrapped keys and the vault's metadata.
///
/// A store holds ciphertext, keyed fingerprints, wrapped keys and clear display fields only; it
/// never sees the master key or an unwrapped key (`Vault` holds those). Conformers:
/// `SQLiteVaultStore` (a file, the default) and, for many machines, a PostgreSQL store. Every
/// guarantee of SPEC §4 that depends on storage is stated here, and a conformer must keep it:
///
/// - **One record per instrument.** The fingerprint is unique among live records (a deleted
///   record's fingerprint is erased, so the same instrument tokenized later is new again).
/// - **File order decides.** An `InstrumentWriter` resolves a batch's rows in order, each seeing
///   every earlier row of its run, committed or not; over concurrent writers exactly one row is
///   reported new per new instrument (the unique fingerprint decides, not the clock).
/// - **Resume.** A row whose instrument was created by this very run at this very input and row
///   (`created_run`/`created_input`/`created_row`) is reported new again.
/// - **Atomic commit.** A writer's pending rows and the live-token counter become durable
///   together, or not at all; a killed process leaves only whole commits behind.
/// - **No write before the key check.** `openExisting` writes nothing (no migration, no pragma
///   that changes the file); `prepareForWriting` runs only after `Vault` has unwrapped the keys.
/// - **Nothing sensitive in errors.** Values are bound as parameters; errors name tables and
///   constraints, and a location is shown only through `VaultLocation.displayName`.
///
/// Not `Sendable`: one owner uses a store from one thread at a time (the tokenize pipeline
/// confines its writer to the writer queue).
protocol VaultStore: AnyObject {
    // MARK: - Opening

    /// Where the store is, fit to print.
    var location: VaultLocation { get }

    /// True when a vault exists at the location (a file, or the schema in a database).
    static func exists(_ options: VaultStoreOptions) throws -> Bool

    /// Opens an existing vault without writing anything. A read-only store serves `report`,
    /// `audit` and `keys status` without the master key and leaves the vault unchanged.
    ///
    /// - Throws: `inputMissing` when there is none, `vaultCorrupt` when it is not a vault or is
    ///   newer than this build, `vaultBusy`.
    static func openExisting(_ options: VaultStoreOptions, readOnly: Bool) throws -> Self

    /// Creates a new vault holding `genesis` (schema at the latest version, the first keys).
    static func create(_ options: VaultStoreOptions, genesis: VaultGenesis) throws -> Self

    /// Takes the lock of job `name` or fails at once with `vaultBusy` (SPEC §7). It holds across
    /// every process that can reach the vault and is released when the holder dies. Taken before
    /// the vault is opened, so a second run exits before waiting on anything.
    static func lockJob(named name: String, options: VaultStoreOptions) throws -> any JobLockHolder

    /// Brings the schema to the latest version and sets up the connection for writing. Called
    /// once the master key has been checked.
    func prepareForWriting() throws

    /// The schema version the vault is at.
    func schemaVersion() throws -> Int

    // MARK: - Metadata and counts

    /// The vault's own identifier, made at creation.
    func vaultID() throws -> String
    /// How card tokens look (`genesis.tokenFormat`, kept in the vault's metadata); `.uuid` for
    /// a vault made before token formats existed.
    func tokenFormat() throws -> TokenFormat
    /// Live (not deleted) tokens: a counter kept in the same transactions as inserts and deletes.
    func liveTokenCount() throws -> Int
    /// Every instrument ever created, deleted ones included.
    func instrumentCount() throws -> Int
    /// Tombstones of deleted instruments.
    func deletedInstrumentCount() throws -> Int
    /// Live records per data-key version.
    func recordCountsByDataKey() throws -> [Int: Int]

    // MARK: - Keys (wrapped only)

    /// The active versions of the data key and the fingerprint key.
    func keyVersions() throws -> KeyVersions
    /// Every data-key version, oldest first.
    func dataKeys() throws -> [WrappedKey]
    /// The fingerprint key of `version`, if the vault holds it.
    func fingerprintKey(version: Int) throws -> WrappedKey?
    /// Adds the next data-key version (`wrap` wraps a fresh key for that version) and makes it
    /// active, atomically.
    ///
    /// - Returns: the new version.
    func addDataKey(createdAt: String, wrap: (Int) throws -> [UInt8]) throws -> Int
    /// Replaces the fingerprint key: adds the next version (`wrap`), recomputes every live
    /// record's fingerprint (`refingerprint`), makes the version current and drops the old key,
    /// all in one transaction, so dedup is never half on the old key. Tokens do not change.
    ///
    /// - Returns: the new version and the records refingerprinted.
    func replaceFingerprintKey(
        createdAt: String, wrap: (Int) throws -> [UInt8], refingerprint: (SealedRecord) throws -> Fingerprint
    ) throws -> (version: Int, records: Int)
    /// Live records not sealed under `dataKey` (what re-encryption has left to do).
    func recordCount(notSealedUnder dataKey: Int) throws -> Int
    /// Re-seals up to `limit` records not yet under `dataKey` with `reseal`, in one transaction.
    ///
    /// - Returns: the records moved; 0 when none are left.
    func resealBatch(under dataKey: Int, limit: Int, reseal: (SealedRecord) throws -> [UInt8]) throws -> Int
    /// Stores every key wrapped under a new master key, in one transaction.
    func rewrapKeys(dataKeys: [WrappedKey], fingerprintKey: WrappedKey) throws

    // MARK: - Instruments

    /// The writer of one tokenize run: resolves prepared rows in file order, many per commit.
    ///
    /// - Parameters:
    ///   - keys: the versions the run fingerprints and seals under; the writer stops with
    ///     `vaultBusy` when the vault's fingerprint key changes under it.
    ///   - commitEvery: rows per transaction (a PostgreSQL store commits every batch and reads
    ///     `Int.max`, all or nothing, as one transaction for the run).
    ///   - sealer: for each row whose instrument the vault holds (and that this run did not
    ///     create at this row), the writer calls `sealer.resealed` and, when it returns a record,
    ///     replaces the stored `sealed` and data-key version with it in the same transaction,
    ///     reporting the row `updated` (`--on-existing update`). Existing rows carry the stored
    ///     record (`Resolution.stored`, after any update) so results show what the vault holds.
    ///     When a new row's format-preserving token is held by another record, the writer
    ///     inserts `sealer.redrawn(row)` instead, until a token is free (the token is unique).
    func makeWriter(run: RunRecord, keys: KeyVersions, commitEvery: Int, sealer: RecordSealer) throws -> any InstrumentWriter
    /// The records of `tokens` (live or tombstone), in the same order; nil for unknown tokens.
    func instruments(withTokens tokens: [Token]) throws -> [InstrumentRecord?]
    /// The live instruments with these fingerprints (token, alias, sealed record), in the same
    /// order, read in one read transaction that takes no write lock: a dry run's lookups.
    func storedInstruments(forFingerprints fingerprints: [Fingerprint]) throws -> [StoredInstrument?]
    /// The tokens of the live instruments with these fingerprints, in the same order.
    func tokens(forFingerprints fingerprints: [Fingerprint]) throws -> [Token?]
    /// Crypto-shreds `tokens` in one transaction: ciphertext, fingerprint and identifying clear
    /// fields erased (and overwritten on disk where the store can), a tombstone keeps the token,
    /// the time and the reason; the live-token counter follows.
    func delete(_ tokens: [Token], reason: DeleteReason, at deletedAt: String) throws -> DeleteCounts

    // MARK: - Runs and resume state

    /// Starts a run, or takes up the record of a job id that started before (`resumed`).
    ///
    /// - Throws: `usage` when the job id was used for the other kind of instrument.
    func beginRun(jobID: String, kind: InstrumentKind, startedAt: String) throws -> RunRecord
    /// Records the inputs a run is about to read (replacing earlier ones of that run).
    func recordPlannedInputs(_ run: RunRecord, inputs: [PlannedInput]) throws
    /// Records how a run ended: status, end, tokens after, the report and its inputs.
    func finishRun(_ run: RunRecord, report: ReconciliationReport, reportJSON: String) throws
    /// The job id of the latest completed run that read a file with this content hash.
    func completedRun(forSHA256 sha256: String) throws -> String?
    /// The job id of the latest unfinished (running, failed or interrupted) run of job `name`
    /// over a file with this content hash.
    func unfinishedRun(jobName name: String, sha256: String) throws -> String?
    /// The run of `jobID`, if it ran before, with the inputs it recorded (in order).
    func priorRun(jobID: String) throws -> PriorRun?
    /// Job ids that start with `prefix`.
    func jobIDs(startingWith prefix: String) throws -> [String]
    /// Runs, oldest first: one job id, or those started at or after `since`, or all.
    func storedRuns(jobID: String?, since: String?) throws -> [StoredRun]

    // MARK: - Copying a whole vault (`tokenvault vault copy`)

    /// Creates an empty vault (schema only: no keys, no metadata) to copy another one into.
    static func createEmpty(_ options: VaultStoreOptions) throws -> Self
    /// Everything but the instruments, as stored.
    func contents() throws -> VaultContents
    /// Stores `contents` in one transaction: metadata replaced, keys, runs, inputs and audit
    /// records added where their keys are not held yet.
    func importContents(_ contents: VaultContents) throws
    /// Up to `limit` instruments with an id above `id`, in id order, tombstones included.
    func instrumentRows(after id: Int64, limit: Int) throws -> [InstrumentRow]
    /// Stores instruments with their ids in one transaction; ids already held are skipped.
    func importInstruments(_ rows: [InstrumentRow]) throws
    /// The highest instrument id (0 when there is none).
    func lastInstrumentID() throws -> Int64

    // MARK: - Audit

    /// Appends one record.
    func appendAudit(_ entry: AuditEntry) throws
    /// Records at or after `since` (all when nil), oldest first.
    func auditEntries(since: String?) throws -> [AuditEntry]
}

/// How to reach a store.
struct VaultStoreOptions: Sendable {
    var location: VaultLocation
    /// How long to wait for another writer before failing with `vaultBusy`.
    var busyTimeoutSeconds: Double = 10
    /// The store's page cache, in bytes, where it has one.
    /// 128 MiB: with the v2 layout the big lookups are swept in key order once per commit, so a
    /// larger cache buys little and the memory goes to the bound of SPEC §6 instead.
    var cacheBytes: Int = 128 << 20

    /// The page cache as SQLite's `cache_size` takes it (negated): KiB, at least 2 MiB.
    var cacheKiB: Int { max(2048, cacheBytes / 1024) }
}
