/// Instruments: the run's writer, lookups and crypto-shredding, in set form (one round trip per
/// batch, never one per row).
extension PostgreSQLVaultStore {
    func makeWriter(run: RunRecord, keys: KeyVersions, commitEvery: Int, sealer: RecordSealer) throws -> any InstrumentWriter {
        // A transaction a batch keeps concurrent writers from deadlocking; `commitEvery` is only
        // honoured as "all or nothing" (`Int.max`, an OpenPGP input verified at its end).
        try PostgreSQLWriteSession(connection: connection, run: run, keys: keys, sealer: sealer, oneTransaction: commitEvery == .max)
    }

    /// A dry run's lookups: one round trip for the whole batch.
    func storedInstruments(forFingerprints fingerprints: [Fingerprint]) throws -> [StoredInstrument?] {
        guard !fingerprints.isEmpty else { return [] }
        return try PostgreSQLError.guarded {
            let result = try connection.query(
                """
                SELECT t.ord, i.token::text, i.alias, i.sealed, i.data_key
                FROM unnest($1::text[]) WITH ORDINALITY AS t(fingerprint, ord)
                JOIN instruments i ON i.fingerprint = decode(t.fingerprint, 'hex')
                """, [PostgreSQLArray.plain(fingerprints.map { $0.withBytes { Array($0) }.hexString })])
            var stored = [StoredInstrument?](repeating: nil, count: fingerprints.count)
            for row in 0..<result.rowCount {
                guard let token = result.text(row, 1).flatMap({ Token($0) }) else {
                    throw TokenVaultError(.vaultCorrupt, "a record has no valid token")
                }
                stored[result.int(row, 0) - 1] = StoredInstrument(
                    token: token, alias: result.text(row, 2), sealed: result.bytea(row, 3) ?? [], dataKey: result.int(row, 4))
            }
            return stored
        }
    }

    func instruments(withTokens tokens: [Token]) throws -> [InstrumentRecord?] {
        guard !tokens.isEmpty else { return [] }
        return try PostgreSQLError.guarded {
            let result = try connection.query(
                """
                SELECT t.ord, i.kind, i.sealed, i.data_key, i.deleted_at, i.created_run, i.created_input, i.created_row
                FROM unnest($1::uuid[]) WITH ORDINALITY AS t(token, ord) JOIN instruments i ON i.token = t.token
                """, [PostgreSQLArray.plain(tokens.map(\.description))])
            var records = [InstrumentRecord?](repeating: nil, count: tokens.count)
            for row in 0..<result.rowCount {
                records[result.int(row, 0) - 1] = InstrumentRecord(
                    kind: InstrumentKind(storedValue: result.int(row, 1)), sealed: result.bytea(row, 2),
                    dataKey: result.int(row, 3), deletedAt: result.text(row, 4),
                    createdRun: result.int64(row, 5), createdInput: result.int(row, 6), createdRow: result.int(row, 7))
            }
            return records
        }
    }

    func tokens(forFingerprints fingerprints: [Fingerprint]) throws -> [Token?] {
        guard !fingerprints.isEmpty else { return [] }
        return try PostgreSQLError.guarded {
            let result = try connection.query(
                """
                SELECT f.ord, i.token FROM unnest($1::text[]) WITH ORDINALITY AS f(fingerprint, ord)
                JOIN instruments i ON i.fingerprint = decode(f.fingerprint, 'hex')
                """, [PostgreSQLArray.plain(fingerprints.map { $0.withBytes { $0.hexString } })])
            var tokens = [Token?](repeating: nil, count: fingerprints.count)
            for row in 0..<result.rowCount { tokens[result.int(row, 0) - 1] = result.text(row, 1).flatMap { Token($0) } }
            return tokens
        }
    }

    func delete(_ tokens: [Token], reason: DeleteReason, at deletedAt: String) throws -> DeleteCounts {
        guard !tokens.isEmpty else { return DeleteCounts() }
        return try PostgreSQLError.guarded {
            let list = PostgreSQLArray.plain(tokens.map(\.description))
            return try connection.transaction {
                let deleted = try connection.query(
                    """
                    UPDATE instruments SET fingerprint = NULL, fingerprint_key = NULL, sealed = NULL, data_key = NULL,
                        alias = NULL, bin = NULL, bank_code = NULL, last4 = NULL, metadata = NULL,
                        deleted_at = $2, delete_reason = $3
                    WHERE token = ANY($1::uuid[]) AND deleted_at IS NULL RETURNING token
                    """, [list, deletedAt, reason.rawValue])
                var fresh = Set((0..<deleted.rowCount).compactMap { deleted.text($0, 0).flatMap { Token($0) } })
                let known = try connection.query("SELECT token FROM instruments WHERE token = ANY($1::uuid[])", [list])
                let existing = Set((0..<known.rowCount).compactMap { known.text($0, 0).flatMap { Token($0) } })
                var counts = DeleteCounts()
                // Counted per input token as the SQLite store counts them: a repeat is "already deleted".
                for token in tokens {
                    if fresh.remove(token) != nil {
                        counts.deleted += 1
                    } else if existing.contains(token) {
                        counts.alreadyDeleted += 1
                    } else {
                        counts.unknown += 1
                    }
                }
                try connection.query(
                    "UPDATE vault_meta SET value = (value::bigint - $1)::text WHERE key = 'live_tokens'", [String(counts.deleted)])
                return counts
            }
        }
    }
}
