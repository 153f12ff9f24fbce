/// Instruments: the run's writer, lookups and crypto-shredding.
///
/// A token or a fingerprint leads to a record through its own table (`tokens`, `fingerprints`,
/// schema v2), then to `instruments` by id.
extension SQLiteVaultStore {
    func makeWriter(run: RunRecord, keys: KeyVersions, commitEvery: Int, sealer: RecordSealer) throws -> any InstrumentWriter {
        try SQLiteWriteSession(
            connection: connection, run: run, keys: keys, commitEvery: commitEvery, sealer: sealer, file: fileIdentity,
            cacheKiB: options.cacheKiB)
    }

    func storedInstruments(forFingerprints fingerprints: [Fingerprint]) throws -> [StoredInstrument?] {
        try SQLiteError.guarded {
            let lookup = try connection.prepare(
                """
                SELECT i.token, i.alias, i.sealed, i.data_key FROM fingerprints f JOIN instruments i ON i.id = f.id
                WHERE f.fingerprint_prefix = ?1 AND f.fingerprint = ?2
                """)
            return try connection.transaction(immediate: false) {
                try fingerprints.map { fingerprint in
                    try fingerprint.withBytes { bytes in
                        lookup.bind(fingerprint.prefix, at: 1)
                        lookup.bindStatic(bytes, at: 2)
                        defer { lookup.reset() }
                        guard try lookup.step(), let token = lookup.withBlob(at: 0, { Token(storedBytes: $0) }) else { return nil }
                        return StoredInstrument(
                            token: token, alias: lookup.text(at: 1), sealed: lookup.blob(at: 2) ?? [], dataKey: lookup.int(at: 3))
                    }
                }
            }
        }
    }

    func instruments(withTokens tokens: [Token]) throws -> [InstrumentRecord?] {
        try SQLiteError.guarded {
            let lookup = try connection.prepare(
                """
                SELECT i.kind, i.sealed, i.data_key, i.deleted_at, i.created_run, i.created_input, i.created_row
                FROM tokens t JOIN instruments i ON i.id = t.id
                WHERE t.token_prefix = ?1 AND t.token = ?2
                """)
            return try tokens.map { token in
                try token.withBytes { bytes in
                    lookup.bind(token.prefix, at: 1)
                    lookup.bindStatic(bytes, at: 2)
                    defer { lookup.reset() }
                    guard try lookup.step() else { return nil }
                    return InstrumentRecord(
                        kind: InstrumentKind(storedValue: lookup.int(at: 0)), sealed: lookup.blob(at: 1),
                        dataKey: lookup.int(at: 2), deletedAt: lookup.text(at: 3),
                        createdRun: lookup.int64(at: 4), createdInput: lookup.int(at: 5), createdRow: lookup.int(at: 6))
                }
            }
        }
    }

    func tokens(forFingerprints fingerprints: [Fingerprint]) throws -> [Token?] {
        try SQLiteError.guarded {
            let lookup = try connection.prepare(
                """
                SELECT i.token FROM fingerprints f JOIN instruments i ON i.id = f.id
                WHERE f.fingerprint_prefix = ?1 AND f.fingerprint = ?2
                """)
            return try fingerprints.map { fingerprint in
                try fingerprint.withBytes { bytes in
                    lookup.bind(fingerprint.prefix, at: 1)
                    lookup.bindStatic(bytes, at: 2)
                    defer { lookup.reset() }
                    return try lookup.step() ? lookup.withBlob(at: 0) { Token(storedBytes: $0) } : nil
                }
            }
        }
    }

    func delete(_ tokens: [Token], reason: DeleteReason, at deletedAt: String) throws -> DeleteCounts {
        try SQLiteError.guarded {
            try connection.execute("PRAGMA secure_delete = ON")
            let find = try connection.prepare(
                """
                SELECT i.id, i.deleted_at IS NOT NULL FROM tokens t JOIN instruments i ON i.id = t.id
                WHERE t.token_prefix = ?1 AND t.token = ?2
                """)
            // The fingerprint goes first, while the record still says which one it is.
            let forget = try connection.prepare(
                """
                DELETE FROM fingerprints WHERE id = ?1
                  AND fingerprint_prefix = (SELECT fingerprint_prefix FROM instruments WHERE id = ?1)
                  AND fingerprint = (SELECT fingerprint FROM instruments WHERE id = ?1)
                """)
            let shred = try connection.prepare(
                """
                UPDATE instruments SET fingerprint = NULL, fingerprint_prefix = NULL, fingerprint_key = NULL, sealed = NULL,
                    data_key = NULL, alias = NULL, bin = NULL, bank_code = NULL, last4 = NULL, metadata = NULL,
                    deleted_at = ?2, delete_reason = ?3
                WHERE id = ?1 AND deleted_at IS NULL
                """)
            shred.bind(deletedAt, at: 2)
            shred.bind(reason.rawValue, at: 3)
            var counts = DeleteCounts()
            try connection.transaction {
                for token in tokens {
                    let found: (id: Int64, deleted: Bool)? = try token.withBytes { bytes in
                        find.bind(token.prefix, at: 1)
                        find.bindStatic(bytes, at: 2)
                        defer { find.reset() }
                        return try find.step() ? (find.int64(at: 0), find.int(at: 1) != 0) : nil
                    }
                    guard let found else {
                        counts.unknown += 1
                        continue
                    }
                    if found.deleted {
                        counts.alreadyDeleted += 1
                        continue
                    }
                    for statement in [forget, shred] {
                        statement.bind(found.id, at: 1)
                        defer { statement.reset() }
                        try statement.step()
                    }
                    counts.deleted += 1
                }
                try connection.run(
                    "UPDATE vault_meta SET value = CAST(value AS INTEGER) - ? WHERE key = 'live_tokens'", .int(counts.deleted))
            }
            // Old page images must not outlive the deletion in the WAL either.
            try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return counts
        }
    }
}
