import CProcess
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
/// - a fingerprint seen earlier in the open transaction is found through `pendingIndex`;
/// - one committed before is found in `fingerprints`, probed only when `filter` says it may be
///   there (a new instrument, the bulk of a migration, reads no index page at all);
/// - the write lock is held from `BEGIN IMMEDIATE` to `COMMIT`, so nothing changes the vault
///   between a probe and the insert it decides; other writers' commits between our
///   transactions are added to the filter at the next `BEGIN`.
///
/// A conflict on a record this same job created at this same row (a resumed run) is reported new.
/// The primary keys of `fingerprints` and `tokens` stay unique: should the logic above ever let a
/// repeat through, the commit fails and rolls back instead of storing it twice.
///
/// Batches are handed back as `DurableBatch`es only by the commit that made their rows durable.
final class SQLiteWriteSession: InstrumentWriter {
    private let connection: SQLiteConnection
    private let run: RunRecord
    private let fingerprintKeyVersion: Int
    private let kind: InstrumentKind
    private let commitEvery: Int
    private let insert: SQLiteStatement
    private let probe: SQLiteStatement
    private let record: SQLiteStatement
    private let probeToken: SQLiteStatement
    private let insertFingerprint: SQLiteStatement
    private let insertToken: SQLiteStatement
    /// Re-seals an existing record with the row's fields (`--on-existing update`), and a new
    /// one under a redrawn format-preserving token after a collision.
    private let sealer: RecordSealer
    private var update: SQLiteStatement?
    /// The vault file, checked before each commit.
    private let file: SQLiteFileIdentity?
    private var inTransaction = false
    private var rowsSinceCommit = 0
    private var arena = TextArena()
    /// Fingerprints of every live record the writer knows of; nil until the first transaction
    /// (and after a rollback, which leaves it holding records that are not there).
    private var filter: FingerprintFilter?
    /// The highest instrument id the filter covers: later ids were written by someone else.
    private var filterCoversID: Int64 = 0
    /// The open transaction's new records: their fingerprints in insertion order (sorted at the
    /// commit), found by fingerprint through `pendingIndex` (repeats inside the transaction).
    private var pendingFingerprints: [PendingKey<Fingerprint>] = []
    private var pendingIndex: PendingFingerprintIndex
    /// New records kept in memory before their lookup keys go to the tables, sorted but not
    /// committed: a longer transaction (an all-or-nothing run) then stays flat in memory, and
    /// its repeats are found in the tables, which show this connection its own uncommitted rows.
    private let pendingLimit: Int
    /// The page cache the store opened the connection with, in KiB: the filter takes its memory
    /// from it, and it is given back when the session ends.
    private let cacheBudgetKiB: Int
    /// Records inserted by the open transaction: the live-token counter moves by this at commit.
    private var insertedSinceCommit = 0
    private var pendingTokens: [PendingKey<Token>] = []
    /// The open transaction's format-preserving tokens: they are not in `tokens` before the
    /// commit, and a later row of the same transaction may draw one of them again.
    private var pendingFormatPreserving: Set<Token> = []
    /// The batches of the open transaction, in input order: handed back when it commits.
    private var pending: [DurableBatch] = []

    /// A lookup key waiting for the commit, with the record it leads to.
    private struct PendingKey<Key> {
        var prefix: Int64
        var key: Key
        var id: Int64
    }

    init(
        connection: SQLiteConnection, run: RunRecord, keys: KeyVersions, commitEvery: Int, sealer: RecordSealer,
        file: SQLiteFileIdentity?, cacheKiB: Int, pendingLimit: Int = 1 << 18
    ) throws {
        self.connection = connection
        self.cacheBudgetKiB = cacheKiB
        self.sealer = sealer
        self.file = file
        self.run = run
        self.kind = run.kind
        self.fingerprintKeyVersion = keys.fingerprintKey
        self.commitEvery = commitEvery
        self.pendingLimit = max(1, pendingLimit)
        let reserve = min(commitEvery, self.pendingLimit) + 4096
        pendingIndex = PendingFingerprintIndex(capacity: reserve)
        (insert, probe, record, probeToken, insertFingerprint, insertToken) = try SQLiteError.guarded {
            (
                try connection.prepare(
                    """
                    INSERT INTO instruments(token, kind, fingerprint, fingerprint_key, data_key, sealed, alias,
                        brand, country, bin, bank_code, last4, metadata, created_run, created_input, created_row,
                        token_prefix, fingerprint_prefix)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
                    """),
                try connection.prepare("SELECT id FROM fingerprints WHERE fingerprint_prefix = ?1 AND fingerprint = ?2"),
                try connection.prepare(
                    """
                    SELECT token, alias, created_run, created_input, created_row, sealed, data_key FROM instruments WHERE id = ?1
                    """),
                try connection.prepare("SELECT 1 FROM tokens WHERE token_prefix = ?1 AND token = ?2"),
                try connection.prepare("INSERT INTO fingerprints(fingerprint_prefix, fingerprint, id) VALUES (?1, ?2, ?3)"),
                try connection.prepare("INSERT INTO tokens(token_prefix, token, id) VALUES (?1, ?2, ?3)")
            )
        }
        if sealer.onExisting == .update {
            update = try SQLiteError.guarded { try connection.prepare("UPDATE instruments SET sealed = ?1, data_key = ?2 WHERE id = ?3") }
        }
        insert.bind(kind.storedValue, at: 2)
        // The columns of the other kind stay NULL.
        for column: Int32 in kind == .card ? [9, 11] : [8, 10] { insert.bindNull(at: column) }
        insert.bind(keys.fingerprintKey, at: 4)
        insert.bind(keys.activeDataKey, at: 5)
        insert.bind(Int(run.id), at: 14)
        pendingFingerprints.reserveCapacity(reserve)
        pendingTokens.reserveCapacity(reserve)
    }

    /// Resolves every valid row of `batch` against the vault; commits when enough rows are pending.
    ///
    /// - Returns: the batches made durable by a commit in this call, in input order.
    /// The connection outlives the session (a job runs many inputs): its cache gets its budget back.
    deinit {
        try? connection.execute("PRAGMA cache_size = -\(cacheBudgetKiB)")
    }

    func write(_ batch: inout PreparedBatch) throws -> [DurableBatch] {
        try namingTheVault {
            if !inTransaction {
                try connection.execute("BEGIN IMMEDIATE")
                inTransaction = true
                try checkFingerprintKey()
                try refreshFilter()
            }
            insert.bind(batch.inputIndex, at: 15)
            var resolutions: [Resolution] = []
            resolutions.reserveCapacity(batch.rows.count)
            var newCount = 0, existingCount = 0, updatedCount = 0
            try batch.rows.withUnsafeBufferPointer { rows in
                for row in rows {
                    guard let instrument = row.instrument else {
                        resolutions.append(.rejected)
                        continue
                    }
                    if let id = try existingID(instrument.fingerprint) {
                        let resolution = try resolveExisting(id, instrument, row: row.row, inputIndex: batch.inputIndex)
                        if resolution.status == .new { newCount += 1 } else { existingCount += 1 }
                        if resolution.updated { updatedCount += 1 }
                        resolutions.append(resolution)
                    } else {
                        let token = try insertNew(instrument, row: row.row)
                        resolutions.append(Resolution(status: .new, token: token))
                        newCount += 1
                    }
                }
            }
            batch.resolutions = resolutions
            batch.tally.counts.new += newCount
            batch.tally.counts.existing += existingCount
            if sealer.onExisting == .update { batch.tally.counts.updated = (batch.tally.counts.updated ?? 0) + updatedCount }
            pending.append(DurableBatch(sequence: batch.sequence, tally: batch.tally))
            rowsSinceCommit += batch.rows.count
            return rowsSinceCommit >= commitEvery ? try commit() : []
        }
    }

    /// Fingerprints made under a key the vault no longer uses would defeat dedup: a run that
    /// overlaps `keys rotate --fingerprint` stops (checked inside the write transaction, which the
    /// rotation's own transaction excludes).
    private func checkFingerprintKey() throws {
        let current = try connection.integer("SELECT CAST(value AS INTEGER) FROM vault_meta WHERE key = 'fingerprint_key'")
        guard current == Int64(fingerprintKeyVersion) else {
            throw TokenVaultError(
                .vaultBusy, "the vault's fingerprint key was rotated during this run; run it again (same job id) to finish")
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
            try rebuildFilter(records: Int(highest))
        }
        filterCoversID = highest
    }

    /// A new, larger filter from `fingerprints` and the open transaction's new records: room for
    /// half as many again and a few transactions more. The old one goes first, so the two are
    /// never in memory together. Also called inside a transaction that outgrows the filter (an
    /// all-or-nothing run is one transaction), which would otherwise probe for every row.
    private func rebuildFilter(records: Int) throws {
        let known = max(records, filter?.count ?? 0)
        filter = nil
        let expected = known + known / 2 + 4 * min(commitEvery, pendingLimit)
        try shareCacheWithFilter(filterBytes: FingerprintFilter.byteCount(expected: expected))
        var fresh = FingerprintFilter(expected: expected)
        let all = try connection.prepare("SELECT fingerprint_prefix FROM fingerprints")
        while try all.step() { fresh.insert(all.int64(at: 0)) }
        for pending in pendingFingerprints { fresh.insert(pending.prefix) }
        filter = fresh
    }

    /// The page cache gives the filter its memory (down to half the cache), so the two together
    /// stay within the budget the cache was opened with (SPEC §6's bound at 30M records, where
    /// the filter is ~50 MB). It costs little: past a few million records each commit sweeps the
    /// lookup tables, which no cache of this size holds, and the filter spares the random probes.
    private func shareCacheWithFilter(filterBytes: Int) throws {
        try connection.execute("PRAGMA cache_size = -\(max(cacheBudgetKiB / 2, cacheBudgetKiB - filterBytes / 1024))")
        tokenvault_release_free_memory()
    }

    /// The record that already holds `fingerprint`, if any: earlier in this transaction, or
    /// committed (probed only when the filter cannot rule it out).
    private func existingID(_ fingerprint: Fingerprint) throws -> Int64? {
        guard filter!.mayContain(fingerprint.prefix) else { return nil }
        if let position = pendingIndex.find(fingerprint.prefix, where: { pendingFingerprints[$0].key == fingerprint }) {
            return pendingFingerprints[position].id
        }
        return try fingerprint.withBytes { bytes in
            probe.bind(fingerprint.prefix, at: 1)
            probe.bindStatic(bytes, at: 2)
            defer { probe.reset() }
            return try probe.step() ? probe.int64(at: 0) : nil
        }
    }

    /// Appends a new instrument; its token.
    ///
    /// A format-preserving token has few random digits, so another record (committed, or earlier
    /// in this transaction) may hold it: the token is then redrawn (and the record re-sealed for
    /// it) until one is free. A UUID is not checked: 122 random bits do not collide, and should
    /// one ever do, the primary key of `tokens` fails the commit rather than store it twice.
    private func insertNew(_ instrument: PreparedInstrument, row: Int) throws -> Token {
        guard instrument.candidateToken.isFormatPreserving else {
            try insertRow(instrument, row: row)
            return instrument.candidateToken
        }
        var candidate = instrument
        var draws = 0
        while try isTaken(candidate.candidateToken) {
            guard draws < 1000 else {
                throw TokenVaultError(
                    .vaultBusy,
                    "no free format-preserving token for a card of row \(row) after 1,000 draws: its length, first 6 and last 4 digits leave too few"
                )
            }
            draws += 1
            candidate = try sealer.redrawn(candidate)
        }
        pendingFormatPreserving.insert(candidate.candidateToken)
        try insertRow(candidate, row: row)
        return candidate.candidateToken
    }

    /// True when a record holds `token` (tombstones included) or this transaction has drawn it.
    private func isTaken(_ token: Token) throws -> Bool {
        if pendingFormatPreserving.contains(token) { return true }
        return try token.withBytes { bytes in
            probeToken.bind(token.prefix, at: 1)
            probeToken.bindStatic(bytes, at: 2)
            defer { probeToken.reset() }
            return try probeToken.step()
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
        filterCoversID = id
        pendingIndex.insert(instrument.fingerprint.prefix, position: pendingFingerprints.count) { pendingFingerprints[$0].prefix }
        pendingFingerprints.append(PendingKey(prefix: instrument.fingerprint.prefix, key: instrument.fingerprint, id: id))
        pendingTokens.append(PendingKey(prefix: instrument.candidateToken.prefix, key: instrument.candidateToken, id: id))
        insertedSinceCommit += 1
        filter!.insert(instrument.fingerprint.prefix)
        if filter!.count > filter!.capacity { try rebuildFilter(records: Int(id)) }
        if pendingTokens.count >= pendingLimit { try flushPending() }
    }

    /// The instrument is already in the vault (record `id`): its token, reported new only when
    /// this very job created it at this very row (a resumed run). An existing record travels
    /// with the row so that results show what the vault holds; under `--on-existing update` it
    /// is re-sealed with the row's expiry and holder name first. The pipeline checks that the
    /// record is the instrument the fingerprint names (`matched`).
    private func resolveExisting(_ id: Int64, _ instrument: PreparedInstrument, row: Int, inputIndex: Int) throws -> Resolution {
        let (stored, mine): (StoredInstrument, Bool) = try {
            record.bind(id, at: 1)
            defer { record.reset() }
            guard try record.step(), let token = record.withBlob(at: 0, { Token(storedBytes: $0) }) else {
                throw TokenVaultError(.vaultCorrupt, "a fingerprint leads to no record")
            }
            let mine = record.int64(at: 2) == run.id && record.int(at: 3) == inputIndex && record.int(at: 4) == row
            return (
                StoredInstrument(token: token, alias: record.text(at: 1), sealed: record.blob(at: 5) ?? [], dataKey: record.int(at: 6)),
                mine
            )
        }()
        let matched = MatchedRecord(sealed: stored.sealed, dataKey: stored.dataKey)
        if mine { return Resolution(status: .new, token: stored.token, matched: matched) }
        guard let update, let (sealed, dataKey) = try sealer.resealed(stored, with: instrument) else {
            return Resolution(status: .existing, token: stored.token, stored: stored, matched: matched)
        }
        try sealed.withUnsafeBytes { bytes in
            update.bindStatic(bytes, at: 1)
            update.bind(dataKey, at: 2)
            update.bind(id, at: 3)
            defer { update.reset() }
            try update.step()
        }
        let updated = StoredInstrument(token: stored.token, alias: stored.alias, sealed: sealed, dataKey: dataKey)
        return Resolution(
            status: .existing, token: stored.token, stored: updated, updated: true,
            matched: MatchedRecord(sealed: sealed, dataKey: dataKey))
    }

    /// Commits pending rows, their lookup keys (each index filled in its own order) and the
    /// token counter, in one transaction.
    ///
    /// - Returns: the batches this commit made durable, in input order.
    func commit() throws -> [DurableBatch] {
        guard inTransaction else { return [] }
        try file?.check()
        try namingTheVault {
            try flushPending()
            if insertedSinceCommit > 0 {
                try connection.run(
                    "UPDATE vault_meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'live_tokens'", .int(insertedSinceCommit))
            }
            try connection.execute("COMMIT")
        }
        endTransaction()
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }

    /// Inserts the pending lookup keys into their tables, each in key order, and forgets them.
    private func flushPending() throws {
        // Sorting moves the positions the index holds: it goes first. Should an insert below
        // fail and a write follow without a rollback, a repeat would be inserted again and the
        // primary key of `fingerprints` would fail the next flush too: never stored twice.
        pendingIndex.removeAll()
        try Self.insertSorted(&pendingFingerprints, with: insertFingerprint)
        try Self.insertSorted(&pendingTokens, with: insertToken)
        pendingFingerprints.removeAll(keepingCapacity: true)
        pendingTokens.removeAll(keepingCapacity: true)
        pendingFormatPreserving.removeAll()
    }

    /// Sorts `keys` by prefix and inserts them (prefix, key, id): one sweep of the table in key order.
    private static func insertSorted<Key: LookupKey>(_ keys: inout [PendingKey<Key>], with statement: SQLiteStatement) throws {
        keys.sort { $0.prefix < $1.prefix }
        for pending in keys {
            try pending.key.withBytes { bytes in
                statement.bind(pending.prefix, at: 1)
                statement.bindStatic(bytes, at: 2)
                statement.bind(pending.id, at: 3)
                defer { statement.reset() }
                try statement.step()
            }
        }
    }

    /// Runs `body` like `SQLiteError.guarded`, and names the vault file in an I/O failure (a
    /// full disk: "database or disk is full"), so the operator knows which disk to look at.
    private func namingTheVault<T>(_ body: () throws -> T) throws -> T {
        do {
            return try SQLiteError.guarded(body)
        } catch let error as TokenVaultError where error.code == .io || error.code == .cannotCreateOutput {
            guard let path = file?.path, !error.message.contains(path) else { throw error }
            throw TokenVaultError(error.code, "\(path): \(error.message)", underlying: error.underlying)
        }
    }

    /// Abandons pending rows (after a failure that must not leave half a batch).
    func rollback() {
        guard inTransaction else { return }
        try? connection.execute("ROLLBACK")
        pending.removeAll()
        endTransaction()
        // The filter holds fingerprints that were rolled back and an id others may now reuse.
        filter = nil
        filterCoversID = 0
    }

    private func endTransaction() {
        inTransaction = false
        rowsSinceCommit = 0
        insertedSinceCommit = 0
        pendingIndex.removeAll()
        pendingFingerprints.removeAll(keepingCapacity: true)
        pendingTokens.removeAll(keepingCapacity: true)
        pendingFormatPreserving.removeAll()
    }
}
