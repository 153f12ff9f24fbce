/// Instruments: the run's writer, lookups and crypto-shredding.
extension SQLiteVaultStore {
    func makeWriter(run: RunRecord, keys: KeyVersions, commitEvery: Int, sealer: RecordSealer) throws -> any InstrumentWriter {
        try SQLiteWriteSession(connection: connection, run: run, keys: keys, commitEvery: commitEvery, sealer: sealer, file: fileIdentity)
    }

    func storedInstruments(forFingerprints fingerprints: [Fingerprint]) throws -> [StoredInstrument?] {
        try SQLiteError.guarded {
            let lookup = try connection.prepare(
                "SELECT token, alias, sealed, data_key FROM instruments WHERE fingerprint_prefix = ?1 AND fingerprint = ?2")
            return try connection.transaction(immediate: false) {
                try fingerprints.map { fingerprint in
                    try fingerprint.withBytes { bytes in
                        lookup.bind(fingerprint.prefix, at: 1)
                        lookup.bindStatic(bytes, at: 2)
                        defer { lookup.reset() }
                        guard try lookup.step(), let token = lookup.withBlob(at: 0, { Token(storedBytes: $0) }) else { return nil }
                        return StoredInstrument(token: token, alias: lookup.text(at: 1), sealed: lookup.blob(at: 2) ?? [], dataKey: lookup.int(at: 3))
                    }
                }
            }
        }
    }

    func instruments(withTokens tokens: [Token]) throws -> [InstrumentRecord?] {
        try SQLiteError.guarded {
            let lookup = try connection.prepare("""
                SELECT kind, sealed, data_key, deleted_at, created_run, created_input, created_row FROM instruments
                WHERE token_prefix = ?1 AND token = ?2
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
            let lookup = try connection.prepare("SELECT token FROM instruments WHERE fingerprint_prefix = ?1 AND fingerprint = ?2")
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
            let update = try connection.prepare("""
                UPDATE instruments SET fingerprint = NULL, fingerprint_prefix = NULL, fingerprint_key = NULL, sealed = NULL,
                    data_key = NULL, alias = NULL, bin = NULL, bank_code = NULL, last4 = NULL, metadata = NULL,
                    deleted_at = ?3, delete_reason = ?4
                WHERE token_prefix = ?1 AND token = ?2 AND deleted_at IS NULL
                """)
            update.bind(deletedAt, at: 3)
            update.bind(reason.rawValue, at: 4)
            let exists = try connection.prepare("SELECT 1 FROM instruments WHERE token_prefix = ?1 AND token = ?2")
            var counts = DeleteCounts()
            try connection.transaction {
                for token in tokens {
                    try token.withBytes { bytes in
                        update.bind(token.prefix, at: 1)
                        update.bindStatic(bytes, at: 2)
                        defer { update.reset() }
                        try update.step()
                    }
                    if connection.changes == 1 {
                        counts.deleted += 1
                        continue
                    }
                    let known = try token.withBytes { bytes in
                        exists.bind(token.prefix, at: 1)
                        exists.bindStatic(bytes, at: 2)
                        defer { exists.reset() }
                        return try exists.step()
                    }
                    if known { counts.alreadyDeleted += 1 } else { counts.unknown += 1 }
                }
                try connection.run("UPDATE vault_meta SET value = CAST(value AS INTEGER) - ? WHERE key = 'live_tokens'", .int(counts.deleted))
            }
            // Old page images must not outlive the deletion in the WAL either.
            try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return counts
        }
    }
}
