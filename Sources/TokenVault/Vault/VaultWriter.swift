import Foundation

/// The one writer of a tokenize run: inserts prepared rows in file order, many per transaction,
/// and decides new or existing for each.
///
/// File order decides because rows reach it in input order and each `INSERT ... ON CONFLICT
/// DO NOTHING` sees every earlier row of the run, committed or not. A conflict on a token this
/// same job created at this same row (a resumed run) is still reported new.
final class VaultWriter {
    private let vault: Vault
    private let run: RunRecord
    private let kind: InstrumentKind
    private let commitEvery: Int
    private let insert: SQLiteStatement
    private let lookup: SQLiteStatement
    private var inTransaction = false
    private var rowsSinceCommit = 0
    private var insertedSinceCommit = 0
    /// How many commits this writer has made; the pipeline watches it to move its tallies.
    private(set) var commitCount = 0

    init(vault: Vault, run: RunRecord, commitEvery: Int) throws {
        self.vault = vault
        self.run = run
        self.kind = run.kind
        self.commitEvery = commitEvery
        (insert, lookup) = try vault.guarded {
            (try vault.connection.prepare("""
                INSERT INTO instruments(token, kind, fingerprint, fingerprint_key, data_key, sealed, alias,
                    brand, country, bin, bank_code, last4, metadata, created_run, created_input, created_row)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                ON CONFLICT(fingerprint) DO NOTHING
                """),
             try vault.connection.prepare("""
                SELECT token, alias, created_run, created_input, created_row FROM instruments WHERE fingerprint = ?
                """))
        }
        insert.bind(kind.storedValue, at: 2)
        insert.bind(vault.crypto.fingerprintKeyVersion, at: 4)
        insert.bind(vault.crypto.activeDataKey, at: 5)
        insert.bind(Int(run.id), at: 14)
    }

    /// Resolves every valid row of `batch` against the vault; commits when enough rows are pending.
    func write(_ batch: inout PreparedBatch) throws {
        try vault.guarded {
            if !inTransaction {
                try vault.connection.execute("BEGIN IMMEDIATE")
                inTransaction = true
            }
            insert.bind(batch.inputIndex, at: 15)
            for index in batch.rows.indices {
                guard let instrument = batch.rows[index].instrument else { continue }
                let rowNumber = batch.rows[index].row
                let display = instrument.display
                insert.bind(display.alias, at: 7)
                if kind == .card {
                    insert.bind(display.brandOrCountry, at: 8)
                    insert.bindNull(at: 9)
                    insert.bind(display.visiblePrefix, at: 10)
                    insert.bindNull(at: 11)
                } else {
                    insert.bindNull(at: 8)
                    insert.bind(display.brandOrCountry, at: 9)
                    insert.bindNull(at: 10)
                    insert.bind(display.bankCode, at: 11)
                }
                insert.bind(display.last4, at: 12)
                insert.bind(display.metadata, at: 13)
                insert.bind(rowNumber, at: 16)
                try instrument.candidateToken.withBytes { token in
                    try instrument.fingerprint.withBytes { fingerprint in
                        try instrument.sealed.withUnsafeBytes { sealed in
                            insert.bindStatic(token, at: 1)
                            insert.bindStatic(fingerprint, at: 3)
                            insert.bindStatic(sealed, at: 6)
                            try insert.step()
                            insert.reset()
                        }
                    }
                }
                if vault.connection.changes == 1 {
                    batch.rows[index].status = .new
                    batch.rows[index].token = instrument.candidateToken
                    insertedSinceCommit += 1
                    continue
                }
                try instrument.fingerprint.withBytes { fingerprint in
                    lookup.bindStatic(fingerprint, at: 1)
                    guard try lookup.step() else {
                        lookup.reset()
                        throw TokenVaultError(.vaultCorrupt, "an insert conflicted but no record holds its fingerprint")
                    }
                    let token = lookup.withBlob(at: 0) { Token(storedBytes: $0) }
                    let storedAlias = lookup.text(at: 1)
                    let mine = lookup.int64(at: 2) == run.id && lookup.int(at: 3) == batch.inputIndex && lookup.int(at: 4) == rowNumber
                    lookup.reset()
                    batch.rows[index].status = mine ? .new : .existing
                    batch.rows[index].token = token
                    if storedAlias != display.alias { batch.rows[index].storedAlias = storedAlias }
                }
            }
            rowsSinceCommit += batch.rows.count
            if rowsSinceCommit >= commitEvery { try commit() }
        }
    }

    /// Commits pending rows, with the token counter, in one transaction.
    func commit() throws {
        guard inTransaction else { return }
        try vault.guarded {
            if insertedSinceCommit > 0 {
                try vault.connection.run(
                    "UPDATE vault_meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'live_tokens'", .int(insertedSinceCommit))
            }
            try vault.connection.execute("COMMIT")
        }
        inTransaction = false
        rowsSinceCommit = 0
        insertedSinceCommit = 0
        commitCount += 1
    }

    /// Abandons pending rows (after a failure that must not leave half a batch).
    func rollback() {
        guard inTransaction else { return }
        try? vault.connection.execute("ROLLBACK")
        inTransaction = false
        rowsSinceCommit = 0
        insertedSinceCommit = 0
    }
}
