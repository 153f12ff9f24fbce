/// The write session of one tokenize run, made by `VaultStore.makeWriter`: the hot path.
///
/// A conformer must keep the vault's guarantees (SPEC §4):
/// - rows of a batch are resolved in order, and each sees every earlier row of the run, committed
///   or not, so the first occurrence of an instrument in file order is the new one; over
///   concurrent writers the unique fingerprint decides, so each new instrument is reported new
///   exactly once;
/// - a conflict on a token this very run created at this very input row is reported new (resume);
/// - pending rows become durable together at a commit, and only then are they handed back as
///   `DurableBatch`es: the pipeline writes result lines for durable batches only (SPEC §10), so
///   a results file never names a token the vault does not hold, whenever the process dies.
///
/// Resolving at `write` and handing back at commit fits both today's writer (which resolves each
/// row as it inserts it) and a writer that resolves rows only at commit time (sorted inserts):
/// the pipeline waits for the `DurableBatch` either way.
///
/// Pending rows and the live-token counter become durable together; no per-row round trip or
/// transaction: rows are resolved a batch at a time.
protocol InstrumentWriter: AnyObject {
    /// Takes the next batch, in input order, into the open transaction; resolves its valid rows
    /// (fills `batch.resolutions` and the new/existing counts) and commits when enough rows are
    /// pending.
    ///
    /// - Returns: the batches a commit during this call made durable, in input order (this one
    ///   and the earlier ones of the transaction), or none.
    func write(_ batch: inout PreparedBatch) throws -> [DurableBatch]
    /// Makes every pending batch durable.
    ///
    /// - Returns: the batches this commit made durable, in input order.
    func commit() throws -> [DurableBatch]
    /// Drops pending rows after a failure; their batches never become durable.
    func rollback()
}

/// A batch whose rows a commit made durable: from now on its result lines may be written.
struct DurableBatch: Sendable {
    /// The batch's place in the run's input order.
    var sequence: Int
    /// Its counts, new and existing included, as the vault now holds them.
    var tally: RunTally
}
