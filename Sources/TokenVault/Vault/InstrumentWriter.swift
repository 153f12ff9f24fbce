/// What the tokenize pipeline needs of a store: the seam for stores other than SQLite (a
/// PostgreSQL store is planned).
///
/// A conforming store must keep the vault's guarantees (SPEC §4):
/// - rows of a batch are resolved in order, and each sees every earlier row of the run, committed
///   or not, so the first occurrence of an instrument is the new one (PostgreSQL:
///   `INSERT … ON CONFLICT (fingerprint) DO NOTHING`, then a lookup, in one transaction);
/// - a conflict on a token this very run created at this very input row is reported new (resume);
/// - pending rows become durable together at `commit`, and `commitCount` counts commits so the
///   pipeline can move its tallies from pending to committed.
protocol InstrumentWriter: AnyObject {
    /// Resolves every valid row of `batch` (fills `batch.resolutions` and the new/existing
    /// counts), committing when enough rows are pending.
    func write(_ batch: inout PreparedBatch) throws
    /// Makes every pending row durable.
    func commit() throws
    /// Drops pending rows after a failure.
    func rollback()
    /// Commits made so far.
    var commitCount: Int { get }
}

extension VaultWriter: InstrumentWriter {}
