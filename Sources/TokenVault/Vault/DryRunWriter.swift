/// The "writer" of a dry run (SPEC §11): resolves rows exactly as a real run would, in file
/// order, but only looks instruments up and writes nothing to the vault.
///
/// An instrument the vault holds is predicted `existing` with its token (and, under
/// `--on-existing update`, `updated` when the row would change it); one it does not hold is
/// predicted `new` without a token, and its repeats later in the file `existing`, also without a
/// token. Lookups are one read transaction per batch and take no write lock, so a dry run never
/// holds up a real run. The instruments predicted new are remembered by the first 16 bytes of
/// their fingerprint (a collision is as likely as two random UUIDs colliding): about 24 bytes of
/// memory per distinct new instrument, 24 MB per million.
final class DryRunWriter: InstrumentWriter {
    private let store: any VaultStore
    private let fingerprintKeyVersion: Int
    private let sealer: RecordSealer
    private var predictedNew = Set<FingerprintHead>()

    /// The leading 16 bytes of a fingerprint.
    private struct FingerprintHead: Hashable {
        let high: UInt64
        let low: UInt64
    }

    init(store: any VaultStore, fingerprintKeyVersion: Int, sealer: RecordSealer) {
        self.store = store
        self.fingerprintKeyVersion = fingerprintKeyVersion
        self.sealer = sealer
    }

    /// Resolves the batch; it is "durable" at once, as nothing is pending in a dry run.
    func write(_ batch: inout PreparedBatch) throws -> [DurableBatch] {
        // Fingerprints made under a key the vault no longer uses would predict every row new.
        guard try store.keyVersions().fingerprintKey == fingerprintKeyVersion else {
            throw TokenVaultError(.vaultBusy, "the vault's fingerprint key was rotated during this dry run; run it again")
        }
        let found = try store.storedInstruments(forFingerprints: batch.rows.compactMap { $0.instrument?.fingerprint })
        var next = found.makeIterator()
        var resolutions: [Resolution] = []
        resolutions.reserveCapacity(batch.rows.count)
        var newCount = 0, existingCount = 0, updatedCount = 0
        for row in batch.rows {
            guard let instrument = row.instrument, let lookup = next.next() else {
                resolutions.append(.rejected)
                continue
            }
            if let stored = lookup {
                // The pipeline checks that the record is the instrument the fingerprint names.
                var resolution = Resolution(
                    status: .existing, token: stored.token, stored: stored,
                    matched: MatchedRecord(sealed: stored.sealed, dataKey: stored.dataKey))
                if let (sealed, dataKey) = try sealer.resealed(stored, with: instrument) {
                    resolution.stored = StoredInstrument(token: stored.token, alias: stored.alias, sealed: sealed, dataKey: dataKey)
                    resolution.updated = true
                    updatedCount += 1
                }
                resolutions.append(resolution)
                existingCount += 1
                continue
            }
            let head = FingerprintHead(high: instrument.fingerprint.words.0, low: instrument.fingerprint.words.1)
            if predictedNew.insert(head).inserted {
                resolutions.append(Resolution(status: .new, token: nil))
                newCount += 1
            } else {
                resolutions.append(Resolution(status: .existing, token: nil))
                existingCount += 1
            }
        }
        batch.resolutions = resolutions
        batch.tally.counts.new += newCount
        batch.tally.counts.existing += existingCount
        if sealer.onExisting == .update { batch.tally.counts.updated = (batch.tally.counts.updated ?? 0) + updatedCount }
        return [DurableBatch(sequence: batch.sequence, tally: batch.tally)]
    }

    func commit() throws -> [DurableBatch] { [] }
    func rollback() {}
}
