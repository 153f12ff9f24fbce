import CSQLite
import Foundation

/// SQLite's extended code for a UNIQUE constraint failure.
private let SQLITE_CONSTRAINT_UNIQUE_CODE: Int32 = 2067

/// The SQLite writer of a tokenize run: inserts prepared rows in file order, many per
/// transaction, and decides new or existing for each.
///
/// File order decides because rows reach it in input order and each `INSERT ... ON CONFLICT
/// DO NOTHING` sees every earlier row of the run, committed or not. A conflict on a token this
/// same job created at this same row (a resumed run) is still reported new.
final class SQLiteWriteSession: InstrumentWriter {
    private let connection: SQLiteConnection
    private let run: RunRecord
    private let fingerprintKeyVersion: Int
    private let kind: InstrumentKind
    private let commitEvery: Int
    private let insert: SQLiteStatement
    private let lookup: SQLiteStatement
    /// Re-seals an existing record with the row's fields (`--on-existing update`), and a new
    /// one under a redrawn format-preserving token after a collision.
    private let sealer: RecordSealer
    private var update: SQLiteStatement?
    private var inTransaction = false
    private var rowsSinceCommit = 0
    private var insertedSinceCommit = 0
    private var arena = TextArena()
    /// The vault file, checked before each commit.
    private let file: SQLiteFileIdentity?
    /// The batches of the open transaction, in input order: handed back when it commits.
    private var pending: [DurableBatch] = []

    init(connection: SQLiteConnection, run: RunRecord, keys: KeyVersions, commitEvery: Int, sealer: RecordSealer,
         file: SQLiteFileIdentity?) throws {
        self.connection = connection
        self.sealer = sealer
        self.file = file
        self.run = run
        self.kind = run.kind
        self.fingerprintKeyVersion = keys.fingerprintKey
        self.commitEvery = commitEvery
        (insert, lookup) = try SQLiteError.guarded {
            (try connection.prepare("""
                INSERT INTO instruments(token, kind, fingerprint, fingerprint_key, data_key, sealed, alias,
                    brand, country, bin, bank_code, last4, metadata, created_run, created_input, created_row,
                    token_prefix, fingerprint_prefix)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
                ON CONFLICT(fingerprint_prefix, fingerprint) DO NOTHING
                """),
             try connection.prepare("""
                SELECT token, alias, created_run, created_input, created_row, sealed, data_key, id FROM instruments
                WHERE fingerprint_prefix = ?1 AND fingerprint = ?2
                """))
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
    }

    /// Resolves every valid row of `batch` against the vault; commits when enough rows are pending.
    ///
    /// - Returns: the batches made durable by a commit in this call, in input order.
    func write(_ batch: inout PreparedBatch) throws -> [DurableBatch] {
        try namingTheVault {
            if !inTransaction {
                try connection.execute("BEGIN IMMEDIATE")
                inTransaction = true
                try checkFingerprintKey()
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
                    if let token = try insertNew(instrument, row: row.row) {
                        resolutions.append(Resolution(status: .new, token: token))
                        newCount += 1
                        insertedSinceCommit += 1
                        continue
                    }
                    let resolution = try resolveConflict(instrument, row: row.row, inputIndex: batch.inputIndex)
                    if resolution.status == .new { newCount += 1 } else { existingCount += 1 }
                    if resolution.updated { updatedCount += 1 }
                    resolutions.append(resolution)
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
            throw TokenVaultError(.vaultBusy, "the vault's fingerprint key was rotated during this run; run it again (same job id) to finish")
        }
    }

    /// Inserts one instrument unless its fingerprint is known; its token when it was inserted.
    ///
    /// A format-preserving token has few random digits, so another record may hold it: the
    /// token is then redrawn (and the record re-sealed for it) until one is free. The insert's
    /// conflict clause covers the fingerprint only, so a unique violation is the token's.
    private func insertNew(_ instrument: PreparedInstrument, row: Int) throws -> Token? {
        var candidate = instrument
        var draws = 0
        while true {
            do {
                return try insertRow(candidate, row: row) ? candidate.candidateToken : nil
            } catch let error as SQLiteError where error.resultCode == SQLITE_CONSTRAINT_UNIQUE_CODE
                && candidate.candidateToken.isFormatPreserving && draws < 1000 {
                draws += 1
                candidate = try sealer.redrawn(candidate)
            } catch let error as SQLiteError where error.resultCode == SQLITE_CONSTRAINT_UNIQUE_CODE && candidate.candidateToken.isFormatPreserving {
                throw TokenVaultError(.vaultBusy, "no free format-preserving token for a card of row \(row) after 1,000 draws: its length, first 6 and last 4 digits leave too few", underlying: error)
            }
        }
    }

    /// Inserts one instrument unless its fingerprint is known; true when it was inserted.
    ///
    /// Text is bound without copies from one reused arena: this runs once per row.
    private func insertRow(_ instrument: PreparedInstrument, row: Int) throws -> Bool {
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
        return connection.changes == 1
    }

    /// The instrument is already in the vault: its token, reported new only when this very job
    /// created it at this very row (a resumed run). An existing record travels with the row so
    /// that results show what the vault holds; under `--on-existing update` it is re-sealed with
    /// the row's expiry and holder name first. The pipeline checks that the record is the
    /// instrument the fingerprint names (`matched`).
    private func resolveConflict(_ instrument: PreparedInstrument, row: Int, inputIndex: Int) throws -> Resolution {
        let (stored, id, mine) = try instrument.fingerprint.withBytes { fingerprint in
            lookup.bind(instrument.fingerprint.prefix, at: 1)
            lookup.bindStatic(fingerprint, at: 2)
            defer { lookup.reset() }
            guard try lookup.step(), let token = lookup.withBlob(at: 0, { Token(storedBytes: $0) }) else {
                throw TokenVaultError(.vaultCorrupt, "an insert conflicted but no record holds its fingerprint")
            }
            let mine = lookup.int64(at: 2) == run.id && lookup.int(at: 3) == inputIndex && lookup.int(at: 4) == row
            let stored = StoredInstrument(token: token, alias: lookup.text(at: 1), sealed: lookup.blob(at: 5) ?? [], dataKey: lookup.int(at: 6))
            return (stored, lookup.int64(at: 7), mine)
        }
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
        return Resolution(status: .existing, token: stored.token, stored: updated, updated: true,
                          matched: MatchedRecord(sealed: sealed, dataKey: dataKey))
    }

    /// Commits pending rows, with the token counter, in one transaction.
    ///
    /// - Returns: the batches this commit made durable, in input order.
    func commit() throws -> [DurableBatch] {
        guard inTransaction else { return [] }
        try file?.check()
        try namingTheVault {
            if insertedSinceCommit > 0 {
                try connection.run(
                    "UPDATE vault_meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'live_tokens'", .int(insertedSinceCommit))
            }
            try connection.execute("COMMIT")
        }
        inTransaction = false
        rowsSinceCommit = 0
        insertedSinceCommit = 0
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
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
        inTransaction = false
        rowsSinceCommit = 0
        insertedSinceCommit = 0
    }
}
