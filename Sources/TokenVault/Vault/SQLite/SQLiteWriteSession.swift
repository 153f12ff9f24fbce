import Foundation

/// The SQLite writer of a tokenize run: resolves prepared rows in file order, many per
/// transaction, and decides new or existing for each (schema v2, SPEC §8).
///
/// The cost that grew with the vault was two unique indexes on random keys inside `instruments`:
/// every row dirtied a random page of each, and past a few million records those pages no
/// longer fit the cache. Now `instruments` only appends (time-ordered ids, no secondary index),
/// and the two lookups live in their own tables (`fingerprints`, `tokens`), filled once per
/// transaction in key order, so each commit sweeps each index once instead of every row landing
/// on a random page. Rows are still resolved one by one in file order at `write`, so the
/// pipeline and its guarantees are unchanged:
///
/// - a fingerprint seen earlier in the open transaction is found in `pendingIDs`;
/// - one committed before is found in `fingerprints`, probed only when `filter` says it may be
///   there (a new instrument, the bulk of a migration, reads no index page at all);
/// - the write lock is held from `BEGIN IMMEDIATE` to `COMMIT`, so nothing changes the vault
///   between a probe and the insert it decides; other writers' commits between our
///   transactions are added to the filter at the next `BEGIN`.
///
/// A conflict on a record this same job created at this same row (a resumed run) is reported new.
/// The primary keys of `fingerprints` and `tokens` stay unique: should the logic above ever let a
/// repeat through, the commit fails and rolls back instead of storing it twice.
final class SQLiteWriteSession: InstrumentWriter {
    private let connection: SQLiteConnection
    private let run: RunRecord
    private let fingerprintKeyVersion: Int
    private let kind: InstrumentKind
    private let commitEvery: Int
    private let insert: SQLiteStatement
    private let probe: SQLiteStatement
    private let record: SQLiteStatement
    private let insertFingerprint: SQLiteStatement
    private let insertToken: SQLiteStatement
    private var inTransaction = false
    private var rowsSinceCommit = 0
    private var arena = TextArena()
    /// Fingerprints of every live record the writer knows of; nil until the first transaction
    /// (and after a rollback, which leaves it holding records that are not there).
    private var filter: FingerprintFilter?
    /// The highest instrument id the filter covers: later ids were written by someone else.
    private var filterCoversID: Int64 = 0
    /// The open transaction's new records, by fingerprint (repeats inside the transaction).
    private var pendingIDs: [Fingerprint: Int64] = [:]
    private var pendingFingerprints: [PendingKey<Fingerprint>] = []
    private var pendingTokens: [PendingKey<Token>] = []
    /// How many commits this writer has made; the pipeline watches it to move its tallies.
    private(set) var commitCount = 0

    /// A lookup key waiting for the commit, with the record it leads to.
    private struct PendingKey<Key> {
        var prefix: Int64
        var key: Key
        var id: Int64
    }

    init(connection: SQLiteConnection, run: RunRecord, keys: KeyVersions, commitEvery: Int) throws {
        self.connection = connection
        self.run = run
        self.kind = run.kind
        self.fingerprintKeyVersion = keys.fingerprintKey
        self.commitEvery = commitEvery
        (insert, probe, record, insertFingerprint, insertToken) = try SQLiteError.guarded {
            (try connection.prepare("""
                INSERT INTO instruments(token, kind, fingerprint, fingerprint_key, data_key, sealed, alias,
                    brand, country, bin, bank_code, last4, metadata, created_run, created_input, created_row,
                    token_prefix, fingerprint_prefix)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
                """),
             try connection.prepare("SELECT id FROM fingerprints WHERE fingerprint_prefix = ?1 AND fingerprint = ?2"),
             try connection.prepare("SELECT token, alias, created_run, created_input, created_row FROM instruments WHERE id = ?1"),
             try connection.prepare("INSERT INTO fingerprints(fingerprint_prefix, fingerprint, id) VALUES (?1, ?2, ?3)"),
             try connection.prepare("INSERT INTO tokens(token_prefix, token, id) VALUES (?1, ?2, ?3)"))
        }
        insert.bind(kind.storedValue, at: 2)
        // The columns of the other kind stay NULL.
        for column: Int32 in kind == .card ? [9, 11] : [8, 10] { insert.bindNull(at: column) }
        insert.bind(keys.fingerprintKey, at: 4)
        insert.bind(keys.activeDataKey, at: 5)
        insert.bind(Int(run.id), at: 14)
        let reserve = min(commitEvery, 1 << 20) + 4096
        pendingIDs.reserveCapacity(reserve)
        pendingFingerprints.reserveCapacity(reserve)
        pendingTokens.reserveCapacity(reserve)
    }

    /// Resolves every valid row of `batch` against the vault; commits when enough rows are pending.
    func write(_ batch: inout PreparedBatch) throws {
        try SQLiteError.guarded {
            if !inTransaction {
                try connection.execute("BEGIN IMMEDIATE")
                inTransaction = true
                try checkFingerprintKey()
                try refreshFilter()
            }
            insert.bind(batch.inputIndex, at: 15)
            var resolutions: [Resolution] = []
            resolutions.reserveCapacity(batch.rows.count)
            var newCount = 0, existingCount = 0
            try batch.rows.withUnsafeBufferPointer { rows in
                for row in rows {
                    guard let instrument = row.instrument else {
                        resolutions.append(.rejected)
                        continue
                    }
                    if let id = try existingID(instrument.fingerprint) {
                        let resolution = try resolveExisting(id, instrument, row: row.row, inputIndex: batch.inputIndex)
                        if resolution.status == .new { newCount += 1 } else { existingCount += 1 }
                        resolutions.append(resolution)
                    } else {
                        try insertRow(instrument, row: row.row)
                        resolutions.append(Resolution(status: .new, token: instrument.candidateToken))
                        newCount += 1
                    }
                }
            }
            batch.resolutions = resolutions
            batch.tally.counts.new += newCount
            batch.tally.counts.existing += existingCount
            rowsSinceCommit += batch.rows.count
            if rowsSinceCommit >= commitEvery { try commit() }
        }
    }

    /// Fingerprints made under a key the vault no longer uses would defeat dedup: a run that
    /// overlaps `keys rotate --fingerprint` stops (checked inside the write transaction, which the
    /// rotation's own transaction excludes).
    private func checkFingerprintKey() throws {
        let current = try connection.integer("SELECT CAST(value AS INTEGER) FROM vault_meta WHERE key = 'fingerprint_key'")
        guard current == Int64(fingerprintKeyVersion) else {
            throw TokenVaultError(.vaultBusy, "the vault's fingerprint key was rotated during this run; run it again (same job id) to finish")
        }
    }

    /// Brings the filter up to the vault, under the write lock: built from `fingerprints` the first
    /// time (and rebuilt larger once it is full), then only the records others appended since.
    private func refreshFilter() throws {
        let highest = try connection.integer("SELECT coalesce(max(id), 0) FROM instruments") ?? 0
        if let filter, filter.count <= filter.capacity {
            guard highest > filterCoversID else { return }
            let appended = try connection.prepare(
                "SELECT fingerprint_prefix FROM instruments WHERE id > ?1 AND fingerprint_prefix IS NOT NULL")
            appended.bind(filterCoversID, at: 1)
            while try appended.step() { self.filter!.insert(appended.int64(at: 0)) }
        } else {
            // Room for half as many again and this run's next commits; the old one goes first,
            // so the two are never in memory together.
            let known = max(Int(highest), filter?.count ?? 0)
            filter = nil
            var fresh = FingerprintFilter(expected: known + known / 2 + 4 * commitEvery)
            let all = try connection.prepare("SELECT fingerprint_prefix FROM fingerprints")
            while try all.step() { fresh.insert(all.int64(at: 0)) }
            filter = fresh
        }
        filterCoversID = highest
    }

    /// The record that already holds `fingerprint`, if any: earlier in this transaction, or
    /// committed (probed only when the filter cannot rule it out).
    private func existingID(_ fingerprint: Fingerprint) throws -> Int64? {
        guard filter!.mayContain(fingerprint.prefix) else { return nil }
        if let id = pendingIDs[fingerprint] { return id }
        return try fingerprint.withBytes { bytes in
            probe.bind(fingerprint.prefix, at: 1)
            probe.bindStatic(bytes, at: 2)
            defer { probe.reset() }
            return try probe.step() ? probe.int64(at: 0) : nil
        }
    }

    /// Appends one new instrument and queues its two lookup keys for the commit.
    ///
    /// Text is bound without copies from one reused arena: this runs once per row.
    private func insertRow(_ instrument: PreparedInstrument, row: Int) throws {
        let display = instrument.display
        arena.removeAll(keepingCapacity: true)
        let alias = arena.add(display.alias)
        let group = arena.add(display.brandOrCountry)
        let prefixOrBank = arena.add(kind == .card ? display.visiblePrefix : display.bankCode)
        let last4 = arena.add(display.last4)
        let metadata = display.metadata.map { arena.add($0) }
        insert.bind(row, at: 16)
        insert.bind(instrument.candidateToken.prefix, at: 17)
        insert.bind(instrument.fingerprint.prefix, at: 18)
        try arena.bytes.withUnsafeBytes { text in
            try instrument.candidateToken.withBytes { token in
                try instrument.fingerprint.withBytes { fingerprint in
                    try instrument.sealed.withUnsafeBytes { sealed in
                        insert.bindStatic(token, at: 1)
                        insert.bindStatic(fingerprint, at: 3)
                        insert.bindStatic(sealed, at: 6)
                        insert.bindStaticText(text, alias, at: 7)
                        // Cards fill brand and bin; bank accounts country and bank_code.
                        insert.bindStaticText(text, group, at: kind == .card ? 8 : 9)
                        insert.bindStaticText(text, prefixOrBank, at: kind == .card ? 10 : 11)
                        insert.bindStaticText(text, last4, at: 12)
                        if let metadata { insert.bindStaticText(text, metadata, at: 13) } else { insert.bindNull(at: 13) }
                        defer { insert.reset() }
                        try insert.step()
                    }
                }
            }
        }
        let id = connection.lastInsertedRowID
        filter!.insert(instrument.fingerprint.prefix)
        filterCoversID = id
        pendingIDs[instrument.fingerprint] = id
        pendingFingerprints.append(PendingKey(prefix: instrument.fingerprint.prefix, key: instrument.fingerprint, id: id))
        pendingTokens.append(PendingKey(prefix: instrument.candidateToken.prefix, key: instrument.candidateToken, id: id))
    }

    /// The instrument is already in the vault: its token, reported new only when this very job
    /// created it at this very row (a resumed run).
    private func resolveExisting(_ id: Int64, _ instrument: PreparedInstrument, row: Int, inputIndex: Int) throws -> Resolution {
        record.bind(id, at: 1)
        defer { record.reset() }
        guard try record.step(), let token = record.withBlob(at: 0, { Token(storedBytes: $0) }) else {
            throw TokenVaultError(.vaultCorrupt, "a fingerprint leads to no record")
        }
        let storedAlias = record.text(at: 1)
        let mine = record.int64(at: 2) == run.id && record.int(at: 3) == inputIndex && record.int(at: 4) == row
        return Resolution(
            status: mine ? .new : .existing, token: token,
            storedAlias: storedAlias == instrument.display.alias ? nil : storedAlias)
    }

    /// Commits pending rows, their lookup keys (each index filled in its own order) and the
    /// token counter, in one transaction.
    func commit() throws {
        guard inTransaction else { return }
        try SQLiteError.guarded {
            if !pendingTokens.isEmpty {
                pendingFingerprints.sort { $0.prefix < $1.prefix }
                for pending in pendingFingerprints {
                    try pending.key.withBytes { bytes in
                        insertFingerprint.bind(pending.prefix, at: 1)
                        insertFingerprint.bindStatic(bytes, at: 2)
                        insertFingerprint.bind(pending.id, at: 3)
                        defer { insertFingerprint.reset() }
                        try insertFingerprint.step()
                    }
                }
                pendingTokens.sort { $0.prefix < $1.prefix }
                for pending in pendingTokens {
                    try pending.key.withBytes { bytes in
                        insertToken.bind(pending.prefix, at: 1)
                        insertToken.bindStatic(bytes, at: 2)
                        insertToken.bind(pending.id, at: 3)
                        defer { insertToken.reset() }
                        try insertToken.step()
                    }
                }
                try connection.run(
                    "UPDATE vault_meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'live_tokens'", .int(pendingTokens.count))
            }
            try connection.execute("COMMIT")
        }
        endTransaction()
        commitCount += 1
    }

    /// Abandons pending rows (after a failure that must not leave half a batch).
    func rollback() {
        guard inTransaction else { return }
        try? connection.execute("ROLLBACK")
        endTransaction()
        // The filter holds fingerprints that were rolled back and an id others may now reuse.
        filter = nil
        filterCoversID = 0
    }

    private func endTransaction() {
        inTransaction = false
        rowsSinceCommit = 0
        pendingIDs.removeAll(keepingCapacity: true)
        pendingFingerprints.removeAll(keepingCapacity: true)
        pendingTokens.removeAll(keepingCapacity: true)
    }
}
