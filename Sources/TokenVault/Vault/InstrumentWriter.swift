/// The write session of one tokenize run, made by `VaultStore.makeWriter`: the hot path.
///
/// A conformer must keep the vault's guarantees (SPEC §4):
/// - rows of a batch are resolved in order, and each sees every earlier row of the run, committed
///   or not, so the first occurrence of an instrument in file order is the new one; over
///   concurrent writers the unique fingerprint decides, so each new instrument is reported new
///   exactly once;
/// - a conflict on a token this very run created at this very input row is reported new (resume);
/// - pending rows and the live-token counter become durable together at `commit`, and
///   `commitCount` counts commits so the pipeline can move its tallies from pending to committed;
/// - no per-row round trip or transaction: rows are resolved a batch at a time.
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
