/// Wrapped keys and the key operations' storage side.
extension PostgreSQLVaultStore {
    func keyVersions() throws -> KeyVersions {
        try PostgreSQLError.guarded {
            KeyVersions(activeDataKey: try metaInteger("active_data_key"), fingerprintKey: try metaInteger("fingerprint_key"))
        }
    }

    func dataKeys() throws -> [WrappedKey] {
        try PostgreSQLError.guarded {
            let result = try connection.query("SELECT version, wrapped, created_at FROM data_keys ORDER BY version")
            return (0..<result.rowCount).map {
                WrappedKey(version: result.int($0, 0), wrapped: result.bytea($0, 1) ?? [], createdAt: result.text($0, 2) ?? "")
            }
        }
    }

    func fingerprintKey(version: Int) throws -> WrappedKey? {
        try PostgreSQLError.guarded {
            let result = try connection.query("SELECT wrapped, created_at FROM fingerprint_keys WHERE version = $1", [String(version)])
            guard result.rowCount == 1, let wrapped = result.bytea(0, 0) else { return nil }
            return WrappedKey(version: version, wrapped: wrapped, createdAt: result.text(0, 1) ?? "")
        }
    }

    func addDataKey(createdAt: String, wrap: (Int) throws -> [UInt8]) throws -> Int {
        try PostgreSQLError.guarded {
            try connection.transaction {
                // The meta row serialises concurrent rotations.
                try connection.query("SELECT value FROM vault_meta WHERE key = 'active_data_key' FOR UPDATE")
                let version = Int(try connection.integer("SELECT coalesce(max(version), 0) + 1 FROM data_keys") ?? 1)
                try connection.query(
                    "INSERT INTO data_keys(version, wrapped, created_at) VALUES ($1, $2, $3)",
                    [String(version), byteaLiteral(try wrap(version)), createdAt])
                try connection.query("UPDATE vault_meta SET value = $1 WHERE key = 'active_data_key'", [String(version)])
                return version
            }
        }
    }

    /// Locks the fingerprint-key row first: writers hold it `FOR SHARE` for each of their
    /// transactions, so the rotation waits for running batches and later batches wait for it,
    /// then see the new version and stop.
    func replaceFingerprintKey(
        createdAt: String, wrap: (Int) throws -> [UInt8], refingerprint: (SealedRecord) throws -> Fingerprint
    ) throws -> (version: Int, records: Int) {
        try PostgreSQLError.guarded {
            try connection.transaction {
                try connection.query("SELECT value FROM vault_meta WHERE key = 'fingerprint_key' FOR UPDATE")
                let old = try metaInteger("fingerprint_key")
                let version = Int(try connection.integer("SELECT coalesce(max(version), 0) + 1 FROM fingerprint_keys") ?? 1)
                try connection.query(
                    "INSERT INTO fingerprint_keys(version, wrapped, created_at) VALUES ($1, $2, $3)",
                    [String(version), byteaLiteral(try wrap(version)), createdAt])
                try connection.execute(
                    "DECLARE refingerprint NO SCROLL CURSOR FOR SELECT id, token, kind, sealed, data_key FROM instruments WHERE sealed IS NOT NULL ORDER BY id"
                )
                var count = 0
                while true {
                    let chunk = try sealedRecords(try connection.query("FETCH 10000 FROM refingerprint"))
                    if chunk.isEmpty { break }
                    let fingerprints = try chunk.map { try refingerprint($0) }
                    try connection.query(
                        """
                        UPDATE instruments i SET fingerprint = decode(u.fingerprint, 'hex'), fingerprint_key = $1
                        FROM unnest($2::bigint[], $3::text[]) AS u(id, fingerprint) WHERE i.id = u.id
                        """,
                        [
                            String(version), PostgreSQLArray.integers(chunk.map(\.id)),
                            PostgreSQLArray.plain(fingerprints.map { $0.withBytes { $0.hexString } }),
                        ])
                    count += chunk.count
                }
                try connection.execute("CLOSE refingerprint")
                try connection.query("UPDATE vault_meta SET value = $1 WHERE key = 'fingerprint_key'", [String(version)])
                // The old key can only link old fingerprints to cards: it goes.
                try connection.query("DELETE FROM fingerprint_keys WHERE version = $1", [String(old)])
                return (version, count)
            }
        }
    }

    func recordCount(notSealedUnder dataKey: Int) throws -> Int {
        try PostgreSQLError.guarded {
            Int(
                try connection.integer("SELECT count(*) FROM instruments WHERE sealed IS NOT NULL AND data_key <> $1", [String(dataKey)])
                    ?? 0)
        }
    }

    func resealBatch(under dataKey: Int, limit: Int, reseal: (SealedRecord) throws -> [UInt8]) throws -> Int {
        try PostgreSQLError.guarded {
            try connection.transaction {
                let records = try sealedRecords(
                    try connection.query(
                        """
                        SELECT id, token, kind, sealed, data_key FROM instruments
                        WHERE sealed IS NOT NULL AND data_key <> $1 ORDER BY id LIMIT $2 FOR UPDATE
                        """, [String(dataKey), String(limit)]))
                guard !records.isEmpty else { return 0 }
                let sealed = try records.map { try reseal($0).hexString }
                try connection.query(
                    """
                    UPDATE instruments i SET sealed = decode(u.sealed, 'hex'), data_key = $1
                    FROM unnest($2::bigint[], $3::text[], $4::integer[]) AS u(id, sealed, old_key)
                    WHERE i.id = u.id AND i.data_key = u.old_key
                    """,
                    [
                        String(dataKey), PostgreSQLArray.integers(records.map(\.id)), PostgreSQLArray.plain(sealed),
                        PostgreSQLArray.integers(records.map { Int64($0.dataKey) }),
                    ])
                return records.count
            }
        }
    }

    func rewrapKeys(dataKeys: [WrappedKey], fingerprintKey: WrappedKey) throws {
        try PostgreSQLError.guarded {
            try connection.transaction {
                for key in dataKeys {
                    try connection.query(
                        "UPDATE data_keys SET wrapped = $1 WHERE version = $2", [byteaLiteral(key.wrapped), String(key.version)])
                }
                try connection.query(
                    "UPDATE fingerprint_keys SET wrapped = $1 WHERE version = $2",
                    [byteaLiteral(fingerprintKey.wrapped), String(fingerprintKey.version)])
            }
        }
    }

    /// Rows of `SELECT id, token, kind, sealed, data_key` (text format).
    private func sealedRecords(_ result: PostgreSQLResult) throws -> [SealedRecord] {
        try (0..<result.rowCount).map { row in
            guard let token = result.text(row, 1).flatMap({ Token($0) }) else {
                throw TokenVaultError(.vaultCorrupt, "a record has no valid token")
            }
            return SealedRecord(
                id: result.int64(row, 0), token: token, kind: InstrumentKind(storedValue: result.int(row, 2)),
                sealed: result.bytea(row, 3) ?? [], dataKey: result.int(row, 4))
        }
    }
}
