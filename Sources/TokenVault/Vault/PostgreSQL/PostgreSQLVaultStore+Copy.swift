/// Raw reads and writes for `tokenvault vault copy`.
extension PostgreSQLVaultStore {
    static func createEmpty(_ options: VaultStoreOptions) throws -> PostgreSQLVaultStore {
        let store = PostgreSQLVaultStore(url: url(options), connection: try connect(options))
        try store.prepareForWriting()
        return store
    }

    func contents() throws -> VaultContents {
        try PostgreSQLError.guarded {
            let metaRows = try connection.query("SELECT key, value FROM vault_meta")
            var meta: [String: String] = [:]
            for row in 0..<metaRows.rowCount { meta[metaRows.text(row, 0) ?? ""] = metaRows.text(row, 1) ?? "" }
            func keys(_ table: String) throws -> [WrappedKey] {
                let rows = try connection.query("SELECT version, wrapped, created_at FROM \(table) ORDER BY version")
                return (0..<rows.rowCount).map {
                    WrappedKey(version: rows.int($0, 0), wrapped: rows.bytea($0, 1) ?? [], createdAt: rows.text($0, 2) ?? "")
                }
            }
            let runRows = try connection.query(
                "SELECT id, job_id, kind, status, started_at, finished_at, tokens_before, tokens_after, report FROM runs ORDER BY id")
            let runs = (0..<runRows.rowCount).map { row in
                VaultContents.Run(
                    id: runRows.int64(row, 0), jobID: runRows.text(row, 1) ?? "", kind: runRows.text(row, 2) ?? "",
                    status: runRows.text(row, 3) ?? "", startedAt: runRows.text(row, 4) ?? "", finishedAt: runRows.text(row, 5),
                    tokensBefore: runRows.int64(row, 6), tokensAfter: runRows.isNull(row, 7) ? nil : runRows.int64(row, 7),
                    report: runRows.text(row, 8))
            }
            let inputRows = try connection.query(
                "SELECT run_id, position, path, sha256, bytes, rows FROM run_inputs ORDER BY run_id, position")
            let inputs = (0..<inputRows.rowCount).map { row in
                VaultContents.RunInput(
                    runID: inputRows.int64(row, 0), position: inputRows.int(row, 1), path: inputRows.text(row, 2) ?? "",
                    sha256: inputRows.text(row, 3) ?? "", bytes: inputRows.int64(row, 4), rows: inputRows.int64(row, 5))
            }
            let auditRows = try connection.query("SELECT id, at, os_user, host, command, job_id, details FROM audit ORDER BY id")
            let audit = (0..<auditRows.rowCount).map { row in
                VaultContents.Audit(
                    id: auditRows.int64(row, 0),
                    entry: AuditEntry(
                        at: auditRows.text(row, 1) ?? "", user: auditRows.text(row, 2) ?? "", host: auditRows.text(row, 3) ?? "",
                        command: auditRows.text(row, 4) ?? "", jobID: auditRows.text(row, 5), details: auditRows.text(row, 6) ?? "{}"))
            }
            return VaultContents(
                meta: meta, dataKeys: try keys("data_keys"), fingerprintKeys: try keys("fingerprint_keys"),
                runs: runs, runInputs: inputs, audit: audit)
        }
    }

    func importContents(_ contents: VaultContents) throws {
        try PostgreSQLError.guarded {
            try connection.transaction {
                for (key, value) in contents.meta.sorted(by: { $0.key < $1.key }) {
                    try connection.query(
                        "INSERT INTO vault_meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                        [key, value])
                }
                for (table, keys) in [("data_keys", contents.dataKeys), ("fingerprint_keys", contents.fingerprintKeys)] {
                    for key in keys {
                        try connection.query(
                            "INSERT INTO \(table)(version, wrapped, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                            [String(key.version), byteaLiteral(key.wrapped), key.createdAt])
                    }
                }
                for run in contents.runs {
                    try connection.query(
                        """
                        INSERT INTO runs(id, job_id, kind, status, started_at, finished_at, tokens_before, tokens_after, report)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING
                        """,
                        [
                            String(run.id), run.jobID, run.kind, run.status, run.startedAt, run.finishedAt, String(run.tokensBefore),
                            run.tokensAfter.map { String($0) }, run.report,
                        ])
                }
                for input in contents.runInputs {
                    try connection.query(
                        "INSERT INTO run_inputs(run_id, position, path, sha256, bytes, rows) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                        [String(input.runID), String(input.position), input.path, input.sha256, String(input.bytes), String(input.rows)])
                }
                for audit in contents.audit {
                    let entry = audit.entry
                    try connection.query(
                        "INSERT INTO audit(id, at, os_user, host, command, job_id, details) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                        [String(audit.id), entry.at, entry.user, entry.host, entry.command, entry.jobID, entry.details])
                }
                // Rows came with their ids: the identity sequences continue after them.
                for table in ["runs", "audit"] { try advanceIdentity(of: table) }
            }
        }
    }

    func instrumentRows(after id: Int64, limit: Int) throws -> [InstrumentRow] {
        try PostgreSQLError.guarded {
            let rows = try connection.query(
                """
                SELECT id, token, kind, fingerprint, fingerprint_key, data_key, sealed, alias, brand, country, bin, bank_code,
                    last4, metadata, created_run, created_input, created_row, deleted_at, delete_reason
                FROM instruments WHERE id > $1 ORDER BY id LIMIT $2
                """, [String(id), String(limit)])
            return try (0..<rows.rowCount).map { row in
                guard let token = rows.text(row, 1).flatMap({ Token($0) }) else {
                    throw TokenVaultError(.vaultCorrupt, "instrument \(rows.int64(row, 0)) has no valid token")
                }
                func optionalInt(_ column: Int) -> Int? { rows.isNull(row, column) ? nil : rows.int(row, column) }
                return InstrumentRow(
                    id: rows.int64(row, 0), token: token, kind: InstrumentKind(storedValue: rows.int(row, 2)),
                    fingerprint: rows.bytea(row, 3),
                    fingerprintKey: optionalInt(4), dataKey: optionalInt(5), sealed: rows.bytea(row, 6), alias: rows.text(row, 7),
                    brand: rows.text(row, 8), country: rows.text(row, 9), bin: rows.text(row, 10), bankCode: rows.text(row, 11),
                    last4: rows.text(row, 12), metadata: rows.text(row, 13), createdRun: rows.int64(row, 14),
                    createdInput: rows.int(row, 15),
                    createdRow: rows.int64(row, 16), deletedAt: rows.text(row, 17), deleteReason: rows.text(row, 18))
            }
        }
    }

    /// Binary COPY into a staging table, then one INSERT that skips ids (or tokens) already held.
    func importInstruments(_ rows: [InstrumentRow]) throws {
        var copy = PostgreSQLBinaryCopy()
        for row in rows {
            copy.startTuple(fields: 19)
            copy.int64(row.id)
            row.token.withBytes { copy.bytes($0) }
            copy.int16(Int16(row.kind.storedValue))
            copy.bytes(row.fingerprint)
            copy.int32(row.fingerprintKey)
            copy.int32(row.dataKey)
            copy.bytes(row.sealed)
            for text in [row.alias, row.brand, row.country, row.bin, row.bankCode, row.last4, row.metadata] { copy.text(text) }
            copy.int64(row.createdRun)
            copy.int32(Int32(row.createdInput))
            copy.int64(row.createdRow)
            copy.text(row.deletedAt)
            copy.text(row.deleteReason)
        }
        let data = copy.finish()
        try PostgreSQLError.guarded {
            try connection.transaction {
                try connection.execute("CREATE TEMP TABLE IF NOT EXISTS tokenvault_import (LIKE instruments) ON COMMIT DELETE ROWS")
                try data.withUnsafeBytes { try connection.copyIn("COPY tokenvault_import FROM STDIN (FORMAT binary)", data: $0) }
                try connection.execute("INSERT INTO instruments SELECT * FROM tokenvault_import ORDER BY id ON CONFLICT DO NOTHING")
                try advanceIdentity(of: "instruments")
            }
        }
    }

    func lastInstrumentID() throws -> Int64 {
        try PostgreSQLError.guarded { try connection.integer("SELECT coalesce(max(id), 0) FROM instruments") ?? 0 }
    }

    /// Moves `table`'s identity sequence past its highest id.
    private func advanceIdentity(of table: String) throws {
        try connection.execute(
            "SELECT setval(pg_get_serial_sequence('\(table)', 'id'), coalesce((SELECT max(id) FROM \(table)), 0) + 1, false)")
    }
}
