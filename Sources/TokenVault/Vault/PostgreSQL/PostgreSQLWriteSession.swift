import Foundation

/// The PostgreSQL writer of a tokenize run: each batch is one transaction of a few round trips,
/// never one per row.
///
/// Per batch: the first occurrence of each fingerprint in the batch is sent by binary COPY into
/// a temporary staging table (made once per session, emptied at each commit);
/// `INSERT … SELECT … ORDER BY fingerprint ON CONFLICT DO NOTHING RETURNING` inserts those the
/// vault does not hold and names them; the vault's record for the others (the conflicts, a few
/// per batch) is then read by their fingerprints through the unique index; the live-token
/// counter is updated and the transaction commits.
///
/// The conflicts are looked up by `fingerprint = ANY(…)`, never by joining the staging table:
/// the planner knows nothing of a temporary table's rows and chose a hash join that read the
/// whole instruments table for every batch (62 ms a batch at 1M rows, half the server's time).
///
/// Why this keeps the guarantees with any number of concurrent writers (READ COMMITTED):
/// - the unique fingerprint index decides: an insert that meets another transaction's
///   uncommitted insert of the same fingerprint waits for it; if that commits, the row is a
///   conflict and reported existing; if it rolls back, this insert goes ahead and is new. So
///   each new instrument is reported new exactly once over all writers;
/// - the conflict lookup is a new statement, so its snapshot sees the rows that won those conflicts;
/// - a transaction holds one INSERT whose rows are taken in fingerprint order, so two writers
///   wait on each other's fingerprints in the same order: no deadlock cycle;
/// - inside a file, later repeats of a fingerprint in the batch take the first one's token
///   (reported existing), and earlier batches are committed: file order decides;
/// - a row whose instrument this run created at this very input row is reported new (resume);
/// - the fingerprint-key row is held `FOR SHARE` for each transaction, so a fingerprint-key
///   rotation waits for the batch in flight and the next batch sees the new key and stops.
final class PostgreSQLWriteSession: InstrumentWriter {
    private let connection: PostgreSQLConnection
    private let run: RunRecord
    private let kind: InstrumentKind
    private let keys: KeyVersions
    /// Re-seals an existing record with the row's fields (`--on-existing update`).
    private let sealer: RecordSealer
    private let insertSQL: String
    /// A transaction is open and its COMMIT not sent.
    private var inTransaction = false
    /// The batch whose COMMIT was sent and not yet answered.
    private var committing: DurableBatch?
    /// Batches committed that a failing `write` could not hand back; `commit()` does.
    private var unreported: [DurableBatch] = []
    /// All or nothing (an OpenPGP input, verified only at its end): the whole run is one
    /// transaction, committed by `commit()`; a failed run leaves the vault unchanged.
    private let oneTransaction: Bool
    /// In one-transaction mode: the batches written so far and the rows they inserted.
    private var held: [DurableBatch] = []
    private var heldInserted = 0
    /// The COPY data of a batch, reused.
    private var copy: [UInt8] = []
    /// The batch index of the first row of each fingerprint, reused.
    private var first: [Fingerprint: Int] = [:]

    private static let copyHeader: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    /// Columns of the staging table, in COPY order.
    private static let stagedColumns: Int16 = 9

    /// - Parameter oneTransaction: the whole run in one transaction instead of one a batch. Its
    ///   rows' locks are then held to the end, so a concurrent writer may deadlock with it; the
    ///   server then ends one of the two, which fails (75) and leaves the vault unchanged.
    init(connection: PostgreSQLConnection, run: RunRecord, keys: KeyVersions, sealer: RecordSealer, oneTransaction: Bool = false) throws {
        self.connection = connection
        self.oneTransaction = oneTransaction
        self.sealer = sealer
        self.run = run
        self.kind = run.kind
        self.keys = keys
        // Cards fill brand and bin; bank accounts country and bank_code.
        let (group, prefix) = kind == .card ? ("brand", "bin") : ("country", "bank_code")
        insertSQL = """
            INSERT INTO instruments(token, kind, fingerprint, fingerprint_key, data_key, sealed, alias, \(group), \(prefix),
                last4, metadata, created_run, created_input, created_row)
            SELECT token, \(kind.storedValue), fingerprint, \(keys.fingerprintKey), \(keys.activeDataKey), sealed, alias, grp, prefix,
                last4, metadata, \(run.id), $1, row
            FROM tokenvault_staging ORDER BY fingerprint
            ON CONFLICT (fingerprint) DO NOTHING
            RETURNING created_row
            """
        try PostgreSQLError.guarded {
            try connection.execute(
                """
                CREATE TEMP TABLE IF NOT EXISTS tokenvault_staging (
                    token uuid NOT NULL, fingerprint bytea NOT NULL, sealed bytea NOT NULL, alias text, grp text,
                    prefix text, last4 text, metadata text, row bigint NOT NULL
                ) ON COMMIT DELETE ROWS
                """)
        }
        copy.reserveCapacity(1 << 20)
    }

    /// Each batch is its own transaction, whose COMMIT is sent without waiting: the next
    /// batch's COPY data is built while the server makes the commit durable, and the batch is
    /// handed back as durable by the next call (or by `commit()` at the end), once its COMMIT
    /// succeeded. Nothing else runs on the connection in between, so the transactions and their
    /// locks are the same as with a blocking commit.
    ///
    /// - Returns: the previous batch, now durable, or none.
    func write(_ batch: inout PreparedBatch) throws -> [DurableBatch] {
        let staged = stage(batch)
        let durable = try finishCommit()
        do {
            try PostgreSQLError.guarded {
                if !inTransaction {
                    let current = try connection.execute("BEGIN; SELECT value FROM vault_meta WHERE key = 'fingerprint_key' FOR SHARE")
                    inTransaction = true
                    guard current.text(0, 0) == String(keys.fingerprintKey) else {
                        throw TokenVaultError(
                            .vaultBusy, "the vault's fingerprint key was rotated during this run; run it again (same job id) to finish")
                    }
                } else {
                    // One transaction for the run: the staging table is emptied by hand, not by a commit.
                    try connection.execute("TRUNCATE tokenvault_staging")
                }
                var inserted = 0
                var conflicts: [Int: Conflict] = [:]
                if staged > 0 {
                    try copy.withUnsafeBytes { try connection.copyIn("COPY tokenvault_staging FROM STDIN (FORMAT binary)", data: $0) }
                    let insertedRows = try connection.query(insertSQL, [String(batch.inputIndex)], binary: true)
                    inserted = insertedRows.rowCount
                    if inserted < staged { conflicts = try readConflicts(batch, inserted: insertedRows) }
                }
                resolve(&batch, conflicts: conflicts)
                if sealer.onExisting == .update { try updateExisting(&batch) }
                if oneTransaction {
                    held.append(DurableBatch(sequence: batch.sequence, tally: batch.tally))
                    heldInserted += inserted
                    return
                }
                // The token counter and the commit, in one round trip.
                try connection.send(
                    (inserted > 0 ? "UPDATE vault_meta SET value = (value::bigint + \(inserted))::text WHERE key = 'live_tokens'; " : "")
                        + "COMMIT")
                inTransaction = false
                committing = DurableBatch(sequence: batch.sequence, tally: batch.tally)
            }
        } catch {
            // The previous batch is committed: `commit()` at the end of the run hands it back,
            // so its output is written and the run's counts match the vault.
            unreported += durable
            throw error
        }
        return durable
    }

    /// Waits for the COMMIT in flight, if any.
    ///
    /// - Returns: its batch, durable.
    private func finishCommit() throws -> [DurableBatch] {
        guard let batch = committing else { return [] }
        committing = nil
        do {
            try PostgreSQLError.guarded { try connection.finish() }
        } catch {
            // A failed counter update leaves the transaction aborted: `rollback()` ends it.
            inTransaction = true
            throw error
        }
        return [batch]
    }

    /// Writes the COPY data of the batch's first occurrences; returns how many.
    private func stage(_ batch: PreparedBatch) -> Int {
        copy.removeAll(keepingCapacity: true)
        first.removeAll(keepingCapacity: true)
        copy.append(contentsOf: Self.copyHeader)
        var staged = 0
        for (index, row) in batch.rows.enumerated() {
            guard let instrument = row.instrument, first[instrument.fingerprint] == nil else { continue }
            first[instrument.fingerprint] = index
            let display = instrument.display
            appendInteger(Self.stagedColumns)
            instrument.candidateToken.withBytes { appendField($0) }
            instrument.fingerprint.withBytes { appendField($0) }
            appendInteger(Int32(instrument.sealed.count))
            copy.append(contentsOf: instrument.sealed)
            appendText(display.alias)
            appendText(display.brandOrCountry)
            appendText(kind == .card ? display.visiblePrefix : display.bankCode)
            appendText(display.last4)
            if let metadata = display.metadata { appendText(metadata) } else { appendInteger(Int32(-1)) }
            appendInteger(Int32(8))
            appendInteger(Int64(row.row))
            staged += 1
        }
        appendInteger(Int16(-1))
        return staged
    }

    private func appendInteger<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { copy.append(contentsOf: $0) }
    }

    private func appendField(_ bytes: UnsafeRawBufferPointer) {
        appendInteger(Int32(bytes.count))
        copy.append(contentsOf: bytes)
    }

    private func appendText(_ text: String) {
        appendInteger(Int32(text.utf8.count))
        copy.append(contentsOf: text.utf8)
    }

    /// A staged row the vault already held: its record and whether this run made it here.
    private struct Conflict {
        var stored: StoredInstrument
        var mine: Bool
        /// The record as sealed: the pipeline checks it is the instrument the fingerprint names.
        var matched: MatchedRecord
    }

    /// The vault's record for every staged row that was not inserted now, by input row.
    ///
    /// A staged row is either inserted or in conflict with a committed row of the same
    /// fingerprint; when that row is gone by now (deleted meanwhile), the batch cannot be
    /// resolved and is refused, never reported with a token the vault does not hold.
    private func readConflicts(_ batch: PreparedBatch, inserted: PostgreSQLResult) throws -> [Int: Conflict] {
        var insertedRows = Set<Int64>(minimumCapacity: inserted.rowCount)
        for index in 0..<inserted.rowCount { insertedRows.insert(inserted.binaryInteger(index, 0)) }
        var fingerprints: [Fingerprint] = []
        for (index, row) in batch.rows.enumerated() {
            guard let instrument = row.instrument, first[instrument.fingerprint] == index,
                !insertedRows.contains(Int64(row.row))
            else { continue }
            fingerprints.append(instrument.fingerprint)
        }
        let result = try connection.query(
            """
            SELECT fingerprint, token, alias, created_run, created_input, created_row, sealed, data_key
            FROM instruments WHERE fingerprint = ANY($1::bytea[])
            """, [PostgreSQLArray.bytea(fingerprints)], binary: true)
        var conflicts: [Int: Conflict] = [:]
        conflicts.reserveCapacity(result.rowCount)
        for index in 0..<result.rowCount {
            guard let batchIndex = result.withBytes(index, 0, { $0.count == 32 ? first[Fingerprint($0)] : nil }) else {
                throw TokenVaultError(.vaultCorrupt, "a record's fingerprint is not one the batch asked for")
            }
            let row = batch.rows[batchIndex].row
            guard let token = result.withBytes(index, 1, { Token(storedBytes: $0) }) else {
                throw TokenVaultError(.vaultCorrupt, "a record has no valid token")
            }
            let alias = result.isNull(index, 2) ? nil : result.withBytes(index, 2) { String(decoding: $0, as: UTF8.self) }
            let mine =
                result.binaryInteger(index, 3) == run.id && result.binaryInteger(index, 4) == Int64(batch.inputIndex)
                && result.binaryInteger(index, 5) == Int64(row)
            let sealed = result.withBytes(index, 6) { Array($0) }
            let dataKey = Int(result.binaryInteger(index, 7))
            conflicts[row] = Conflict(
                stored: StoredInstrument(token: token, alias: alias, sealed: sealed, dataKey: dataKey), mine: mine,
                matched: MatchedRecord(sealed: sealed, dataKey: dataKey))
        }
        guard conflicts.count == fingerprints.count else {
            throw TokenVaultError(
                .vaultBusy, "instruments of this batch were deleted while it was written; run it again (same job id) to finish")
        }
        return conflicts
    }

    /// Fills the batch's resolutions in row order. An existing row carries the vault's record, so
    /// results show what the vault holds (SPEC §10).
    private func resolve(_ batch: inout PreparedBatch, conflicts: [Int: Conflict]) {
        var resolutions: [Resolution] = []
        resolutions.reserveCapacity(batch.rows.count)
        /// The record the vault now holds for each first occurrence: its own, or the one just inserted.
        var records: [Int: StoredInstrument] = [:]
        var newCount = 0, existingCount = 0
        for (index, row) in batch.rows.enumerated() {
            guard let instrument = row.instrument, let firstIndex = first[instrument.fingerprint] else {
                resolutions.append(.rejected)
                continue
            }
            if firstIndex == index {
                if let conflict = conflicts[row.row] {
                    records[index] = conflict.stored
                    resolutions.append(
                        conflict.mine
                            ? Resolution(status: .new, token: conflict.stored.token, matched: conflict.matched)
                            : Resolution(
                                status: .existing, token: conflict.stored.token, stored: conflict.stored, matched: conflict.matched))
                    if conflict.mine { newCount += 1 } else { existingCount += 1 }
                } else {
                    records[index] = StoredInstrument(
                        token: instrument.candidateToken, alias: instrument.display.alias,
                        sealed: Array(instrument.sealed), dataKey: keys.activeDataKey)
                    resolutions.append(Resolution(status: .new, token: instrument.candidateToken))
                    newCount += 1
                }
            } else if let record = records[firstIndex] {
                // A repeat matched the first occurrence's record: the vault's, or the one just inserted.
                resolutions.append(
                    Resolution(
                        status: .existing, token: record.token, stored: record,
                        matched: MatchedRecord(sealed: record.sealed, dataKey: record.dataKey)))
                existingCount += 1
            }
        }
        batch.resolutions = resolutions
        batch.tally.counts.new += newCount
        batch.tally.counts.existing += existingCount
    }

    /// `--on-existing update`: re-seals each existing row's record with the row's expiry and
    /// holder name, in row order (a later repeat updates what an earlier one wrote), inside the
    /// batch's transaction. One statement per updated row: updates are the exception in a file.
    private func updateExisting(_ batch: inout PreparedBatch) throws {
        var latest: [Token: StoredInstrument] = [:]
        var updatedCount = 0
        for index in batch.resolutions.indices {
            guard batch.resolutions[index].status == .existing, let instrument = batch.rows[index].instrument,
                let original = batch.resolutions[index].stored
            else { continue }
            let stored = latest[original.token] ?? original
            guard let (sealed, dataKey) = try sealer.resealed(stored, with: instrument) else { continue }
            try connection.query(
                "UPDATE instruments SET sealed = $1, data_key = $2 WHERE token = $3::uuid",
                [PostgreSQLVaultStore.byteaLiteral(sealed), String(dataKey), stored.token.description])
            let updated = StoredInstrument(token: stored.token, alias: stored.alias, sealed: sealed, dataKey: dataKey)
            latest[stored.token] = updated
            batch.resolutions[index].stored = updated
            batch.resolutions[index].updated = true
            batch.resolutions[index].matched = MatchedRecord(sealed: sealed, dataKey: dataKey)
            updatedCount += 1
        }
        batch.tally.counts.updated = (batch.tally.counts.updated ?? 0) + updatedCount
    }

    func commit() throws -> [DurableBatch] {
        var durable = unreported
        unreported = []
        durable += try finishCommit()
        if inTransaction {
            try PostgreSQLError.guarded {
                try connection.execute(
                    (heldInserted > 0
                        ? "UPDATE vault_meta SET value = (value::bigint + \(heldInserted))::text WHERE key = 'live_tokens'; " : "")
                        + "COMMIT")
            }
            inTransaction = false
            durable += held
            held = []
            heldInserted = 0
        }
        return durable
    }

    func rollback() {
        if committing != nil {
            // A COMMIT already sent cannot be called back; its batch stays unreported, as after a
            // crash (resume reports its rows new again).
            committing = nil
            _ = try? connection.finish()
        }
        held = []
        heldInserted = 0
        guard inTransaction else { return }
        _ = try? connection.execute("ROLLBACK")
        inTransaction = false
    }
}
