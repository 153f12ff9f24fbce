/// Wrapped keys and the key operations' storage side.
extension SQLiteVaultStore {
    func keyVersions() throws -> KeyVersions {
        try SQLiteError.guarded {
            KeyVersions(activeDataKey: try metaInteger("active_data_key"), fingerprintKey: try metaInteger("fingerprint_key"))
        }
    }

    func dataKeys() throws -> [WrappedKey] {
        try SQLiteError.guarded {
            let rows = try connection.prepare("SELECT version, wrapped, created_at FROM data_keys ORDER BY version")
            var keys: [WrappedKey] = []
            while try rows.step() {
                keys.append(WrappedKey(version: rows.int(at: 0), wrapped: rows.blob(at: 1) ?? [], createdAt: rows.text(at: 2) ?? ""))
            }
            return keys
        }
    }

    func fingerprintKey(version: Int) throws -> WrappedKey? {
        try SQLiteError.guarded {
            let row = try connection.prepare("SELECT wrapped, created_at FROM fingerprint_keys WHERE version = ?")
            row.bind(version, at: 1)
            guard try row.step(), let wrapped = row.blob(at: 0) else { return nil }
            return WrappedKey(version: version, wrapped: wrapped, createdAt: row.text(at: 1) ?? "")
        }
    }

    func addDataKey(createdAt: String, wrap: (Int) throws -> [UInt8]) throws -> Int {
        try SQLiteError.guarded {
            try connection.transaction {
                let version = Int(try connection.integer("SELECT coalesce(max(version), 0) + 1 FROM data_keys") ?? 1)
                try connection.run(
                    "INSERT INTO data_keys(version, wrapped, created_at) VALUES (?, ?, ?)",
                    .int(version), .blob(try wrap(version)), .text(createdAt))
                try connection.run("UPDATE vault_meta SET value = ? WHERE key = 'active_data_key'", .text(String(version)))
                return version
            }
        }
    }

    func replaceFingerprintKey(
        createdAt: String, wrap: (Int) throws -> [UInt8], refingerprint: (SealedRecord) throws -> Fingerprint
    ) throws -> (version: Int, records: Int) {
        try SQLiteError.guarded {
            try connection.transaction {
                let old = try metaInteger("fingerprint_key")
                let version = Int(try connection.integer("SELECT coalesce(max(version), 0) + 1 FROM fingerprint_keys") ?? 1)
                try connection.run(
                    "INSERT INTO fingerprint_keys(version, wrapped, created_at) VALUES (?, ?, ?)",
                    .int(version), .blob(try wrap(version)), .text(createdAt))
                // The lookup table is refilled a chunk at a time, each chunk in key order (as the
                // writer does), so memory stays flat and no insert lands on a random page alone.
                try connection.execute("DELETE FROM fingerprints")
                let select = try connection.prepare(
                    """
                    SELECT id, token, kind, sealed, data_key FROM instruments
                    WHERE id > ?1 AND sealed IS NOT NULL ORDER BY id LIMIT ?2
                    """)
                let update = try connection.prepare(
                    "UPDATE instruments SET fingerprint_prefix = ?1, fingerprint = ?2, fingerprint_key = ?3 WHERE id = ?4")
                let insert = try connection.prepare("INSERT INTO fingerprints(fingerprint_prefix, fingerprint, id) VALUES (?1, ?2, ?3)")
                var count = 0
                var after: Int64 = 0
                var chunk: [(fingerprint: Fingerprint, id: Int64)] = []
                while true {
                    var records: [SealedRecord] = []
                    select.bind(after, at: 1)
                    select.bind(Self.rotationChunk, at: 2)
                    while try select.step() {
                        if let record = sealedRecord(select) { records.append(record) }
                        after = select.int64(at: 0)
                    }
                    select.reset()
                    if records.isEmpty { break }
                    chunk.removeAll(keepingCapacity: true)
                    for record in records {
                        let fingerprint = try refingerprint(record)
                        try fingerprint.withBytes { bytes in
                            update.bind(fingerprint.prefix, at: 1)
                            update.bindStatic(bytes, at: 2)
                            update.bind(version, at: 3)
                            update.bind(record.id, at: 4)
                            defer { update.reset() }
                            try update.step()
                        }
                        chunk.append((fingerprint, record.id))
                    }
                    chunk.sort { $0.fingerprint.prefix < $1.fingerprint.prefix }
                    for entry in chunk {
                        try entry.fingerprint.withBytes { bytes in
                            insert.bind(entry.fingerprint.prefix, at: 1)
                            insert.bindStatic(bytes, at: 2)
                            insert.bind(entry.id, at: 3)
                            defer { insert.reset() }
                            try insert.step()
                        }
                    }
                    count += records.count
                }
                try connection.run("UPDATE vault_meta SET value = ? WHERE key = 'fingerprint_key'", .text(String(version)))
                // The old key can only link old fingerprints to cards: it goes.
                try connection.run("DELETE FROM fingerprint_keys WHERE version = ?", .int(old))
                return (version, count)
            }
        }
    }

    func recordCount(notSealedUnder dataKey: Int) throws -> Int {
        try SQLiteError.guarded {
            Int(try connection.integer("SELECT count(*) FROM instruments WHERE sealed IS NOT NULL AND data_key != ?", .int(dataKey)) ?? 0)
        }
    }

    func resealBatch(under dataKey: Int, limit: Int, reseal: (SealedRecord) throws -> [UInt8]) throws -> Int {
        var lastID: Int64?
        let moved = try SQLiteError.guarded {
            try connection.transaction {
                // Walks the records in id order from where the last batch stopped: each batch
                // reads only its own records, not again every record done before it.
                let after = resealCursor?.dataKey == dataKey ? resealCursor!.afterID : 0
                let select = try connection.prepare(
                    """
                    SELECT id, token, kind, sealed, data_key FROM instruments
                    WHERE id > ?3 AND sealed IS NOT NULL AND data_key != ?1 ORDER BY id LIMIT ?2
                    """)
                select.bind(dataKey, at: 1)
                select.bind(limit, at: 2)
                select.bind(after, at: 3)
                var records: [SealedRecord] = []
                while try select.step() {
                    if let record = sealedRecord(select) { records.append(record) }
                }
                select.reset()
                lastID = records.last?.id
                let update = try connection.prepare("UPDATE instruments SET sealed = ?1, data_key = ?2 WHERE id = ?3 AND data_key = ?4")
                for record in records {
                    try update.bind(.blob(try reseal(record)), at: 1)
                    update.bind(dataKey, at: 2)
                    update.bind(record.id, at: 3)
                    update.bind(record.dataKey, at: 4)
                    try update.step()
                    update.reset()
                }
                return records.count
            }
        }
        if let lastID { resealCursor = (dataKey, lastID) }
        return moved
    }

    func rewrapKeys(dataKeys: [WrappedKey], fingerprintKey: WrappedKey) throws {
        try SQLiteError.guarded {
            try connection.transaction {
                for key in dataKeys {
                    try connection.run("UPDATE data_keys SET wrapped = ? WHERE version = ?", .blob(key.wrapped), .int(key.version))
                }
                try connection.run(
                    "UPDATE fingerprint_keys SET wrapped = ? WHERE version = ?",
                    .blob(fingerprintKey.wrapped), .int(fingerprintKey.version))
            }
        }
    }

    /// Records refingerprinted per chunk: each chunk's fingerprints are inserted in key order.
    static let rotationChunk = 100_000

    /// A row of `SELECT id, token, kind, sealed, data_key`.
    private func sealedRecord(_ row: SQLiteStatement) -> SealedRecord? {
        guard let token = row.withBlob(at: 1, { Token(storedBytes: $0) }) else { return nil }
        return SealedRecord(
            id: row.int64(at: 0), token: token, kind: InstrumentKind(storedValue: row.int(at: 2)),
            sealed: row.blob(at: 3) ?? [], dataKey: row.int(at: 4))
    }
}
