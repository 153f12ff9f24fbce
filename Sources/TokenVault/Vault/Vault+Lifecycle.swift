import Crypto
import Foundation

/// Detokenization, deletion (crypto-shredding), key rotation and the audit trail (SPEC §4).
extension Vault {
    /// One record looked up by token.
    struct StoredInstrument {
        let id: Int64
        let kind: InstrumentKind
        let sealed: [UInt8]?
        let dataKey: Int
        let deletedAt: String?
    }

    /// Prepares the lookup of records by token.
    func tokenLookup() throws -> SQLiteStatement {
        try guarded {
            try connection.prepare("""
                SELECT id, kind, sealed, data_key, deleted_at FROM instruments WHERE token_prefix = ?1 AND token = ?2
                """)
        }
    }

    func instrument(_ token: Token, using statement: SQLiteStatement) throws -> StoredInstrument? {
        try guarded {
            try token.withBytes { bytes in
                statement.bind(token.prefix, at: 1)
                statement.bindStatic(bytes, at: 2)
                defer { statement.reset() }
                guard try statement.step() else { return nil }
                return StoredInstrument(
                    id: statement.int64(at: 0), kind: statement.int(at: 1) == InstrumentKind.card.storedValue ? .card : .bankAccount,
                    sealed: statement.blob(at: 2), dataKey: statement.int(at: 3), deletedAt: statement.text(at: 4))
            }
        }
    }

    // MARK: - Delete

    /// Why a token is deleted (the reasons of the network-token delete APIs).
    public enum DeleteReason: String, Sendable, CaseIterable {
        case customerRequest = "customer_request"
        case compromised
        case retentionExpired = "retention_expired"
        case other
    }

    public struct DeleteCounts: Sendable, Equatable {
        public var deleted = 0
        public var alreadyDeleted = 0
        public var unknown = 0
    }

    /// Crypto-shreds tokens: ciphertext, fingerprint and identifying clear fields are erased (and
    /// overwritten on disk: `secure_delete`), a tombstone keeps the token, time and reason. The
    /// same instrument tokenized later gets a new token.
    public func delete(_ tokens: [Token], reason: DeleteReason, at date: Date) throws -> DeleteCounts {
        try guarded {
            try connection.execute("PRAGMA secure_delete = ON")
            let update = try connection.prepare("""
                UPDATE instruments SET fingerprint = NULL, fingerprint_prefix = NULL, fingerprint_key = NULL, sealed = NULL,
                    data_key = NULL, alias = NULL, bin = NULL, bank_code = NULL, last4 = NULL, metadata = NULL,
                    deleted_at = ?3, delete_reason = ?4
                WHERE token_prefix = ?1 AND token = ?2 AND deleted_at IS NULL
                """)
            update.bind(Timestamp.iso8601(date), at: 3)
            update.bind(reason.rawValue, at: 4)
            let lookup = try tokenLookup()
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
                    } else if try instrument(token, using: lookup) != nil {
                        counts.alreadyDeleted += 1
                    } else {
                        counts.unknown += 1
                    }
                }
                try connection.run("UPDATE vault_meta SET value = CAST(value AS INTEGER) - ? WHERE key = 'live_tokens'", .int(counts.deleted))
            }
            // Old page images must not outlive the deletion in the WAL either.
            try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return counts
        }
    }

    // MARK: - Keys

    public struct KeyStatus: Sendable {
        public struct DataKey: Sendable {
            public let version: Int
            public let createdAt: String
            public let records: Int
            public let active: Bool
        }

        public let masterKeyID: String
        public let dataKeys: [DataKey]
        public let fingerprintKeyVersion: Int
        public let fingerprintKeyCreatedAt: String
        public let liveTokens: Int
        public let deletedTokens: Int
    }

    public func keyStatus() throws -> KeyStatus {
        try guarded {
            var perVersion: [Int: Int] = [:]
            let counts = try connection.prepare("SELECT data_key, count(*) FROM instruments WHERE sealed IS NOT NULL GROUP BY data_key")
            while try counts.step() { perVersion[counts.int(at: 0)] = counts.int(at: 1) }
            var keys: [KeyStatus.DataKey] = []
            let rows = try connection.prepare("SELECT version, created_at FROM data_keys ORDER BY version")
            while try rows.step() {
                let version = rows.int(at: 0)
                keys.append(.init(version: version, createdAt: rows.text(at: 1) ?? "", records: perVersion[version] ?? 0,
                                  active: version == crypto.activeDataKey))
            }
            let fingerprintCreated = try connection.prepare("SELECT created_at FROM fingerprint_keys WHERE version = ?")
            fingerprintCreated.bind(crypto.fingerprintKeyVersion, at: 1)
            _ = try fingerprintCreated.step()
            return KeyStatus(
                masterKeyID: masterKey.identifier, dataKeys: keys, fingerprintKeyVersion: crypto.fingerprintKeyVersion,
                fingerprintKeyCreatedAt: fingerprintCreated.text(at: 0) ?? "", liveTokens: try tokenCount(),
                deletedTokens: Int(try connection.integer("SELECT count(*) FROM instruments WHERE deleted_at IS NOT NULL") ?? 0))
        }
    }

    /// Adds a data-key version and makes it the one new records are sealed with.
    public func rotateDataKey(at date: Date) throws -> Int {
        let version = try guarded {
            try connection.transaction {
                let version = Int(try connection.integer("SELECT coalesce(max(version), 0) + 1 FROM data_keys") ?? 1)
                try connection.run("INSERT INTO data_keys(version, wrapped, created_at) VALUES (?, ?, ?)", .int(version),
                                   .blob(VaultCrypto.wrap(SymmetricKey(size: .bits256), purpose: "data-key", version: version, master: masterKey)),
                                   .text(Timestamp.iso8601(date)))
                try connection.run("UPDATE vault_meta SET value = ? WHERE key = 'active_data_key'", .text(String(version)))
                return version
            }
        }
        try reloadKeys()
        return version
    }

    /// Re-seals records of older data-key versions under the active one, `batchSize` records per
    /// transaction: killed at any point, what is committed stays, and running it again finishes.
    ///
    /// - Returns: the records moved.
    public func reencrypt(batchSize: Int, progress: (Int, Int) -> Void = { _, _ in }) throws -> Int {
        try guarded {
            let active = crypto.activeDataKey
            let remaining = Int(try connection.integer("SELECT count(*) FROM instruments WHERE sealed IS NOT NULL AND data_key != ?", .int(active)) ?? 0)
            let select = try connection.prepare("""
                SELECT id, token, kind, sealed, data_key FROM instruments
                WHERE sealed IS NOT NULL AND data_key != ?1 LIMIT ?2
                """)
            let update = try connection.prepare("UPDATE instruments SET sealed = ?1, data_key = ?2 WHERE id = ?3 AND data_key = ?4")
            var moved = 0
            while true {
                let done: Int = try connection.transaction {
                    select.bind(active, at: 1)
                    select.bind(batchSize, at: 2)
                    var rows: [(Int64, Token, InstrumentKind, [UInt8], Int)] = []
                    while try select.step() {
                        guard let token = select.withBlob(at: 1, { Token(storedBytes: $0) }) else { continue }
                        rows.append((select.int64(at: 0), token, select.int(at: 2) == 1 ? .card : .bankAccount,
                                     select.blob(at: 3) ?? [], select.int(at: 4)))
                    }
                    select.reset()
                    let nonces = SecureRandom.bytes(12 * rows.count)
                    for (index, (id, token, kind, sealed, version)) in rows.enumerated() {
                        let plain = try crypto.open(sealed, token: token, kind: kind, keyVersion: version)
                        let resealed = try nonces.withUnsafeBytes {
                            try crypto.seal(plain, token: token, kind: kind, nonce: UnsafeRawBufferPointer(rebasing: $0[(index * 12)..<(index * 12 + 12)]))
                        }
                        try update.bind(.blob(Array(resealed)), at: 1)
                        update.bind(active, at: 2)
                        update.bind(id, at: 3)
                        update.bind(version, at: 4)
                        try update.step()
                        update.reset()
                    }
                    return rows.count
                }
                if done == 0 { break }
                moved += done
                progress(moved, remaining)
            }
            return moved
        }
    }

    /// Replaces the fingerprint key and recomputes every fingerprint from the decrypted records,
    /// in one transaction: dedup is never half on the old key. Tokens do not change.
    ///
    /// - Returns: the new version and the records refingerprinted.
    public func rotateFingerprintKey(at date: Date) throws -> (version: Int, records: Int) {
        let result: (Int, Int) = try guarded {
            try connection.transaction {
                let old = crypto.fingerprintKeyVersion
                let version = Int(try connection.integer("SELECT coalesce(max(version), 0) + 1 FROM fingerprint_keys") ?? 1)
                let key = SymmetricKey(size: .bits256)
                try connection.run("INSERT INTO fingerprint_keys(version, wrapped, created_at) VALUES (?, ?, ?)", .int(version),
                                   .blob(VaultCrypto.wrap(key, purpose: "fingerprint-key", version: version, master: masterKey)),
                                   .text(Timestamp.iso8601(date)))
                let next = VaultCrypto(dataKeys: crypto.dataKeys, activeDataKey: crypto.activeDataKey,
                                       fingerprintKey: key, fingerprintKeyVersion: version)
                let select = try connection.prepare("SELECT id, token, kind, sealed, data_key FROM instruments WHERE sealed IS NOT NULL")
                let update = try connection.prepare("UPDATE instruments SET fingerprint_prefix = ?1, fingerprint = ?2, fingerprint_key = ?3 WHERE id = ?4")
                var count = 0
                while try select.step() {
                    guard let token = select.withBlob(at: 1, { Token(storedBytes: $0) }) else { continue }
                    let kind: InstrumentKind = select.int(at: 2) == 1 ? .card : .bankAccount
                    let payload = try SealedPayload.decode(try crypto.open(select.blob(at: 3) ?? [], token: token, kind: kind, keyVersion: select.int(at: 4)))
                    guard let identity = InstrumentIdentity.fromPayload(payload, kind: kind) else {
                        throw TokenVaultError(.vaultCorrupt, "a record of token \(token) has no identity to fingerprint")
                    }
                    let fingerprint = next.fingerprint(identity)
                    try fingerprint.withBytes { bytes in
                        update.bind(fingerprint.prefix, at: 1)
                        update.bindStatic(bytes, at: 2)
                        update.bind(version, at: 3)
                        update.bind(select.int64(at: 0), at: 4)
                        defer { update.reset() }
                        try update.step()
                    }
                    count += 1
                }
                try connection.run("UPDATE vault_meta SET value = ? WHERE key = 'fingerprint_key'", .text(String(version)))
                // The old key can only link old fingerprints to cards: it goes.
                try connection.run("DELETE FROM fingerprint_keys WHERE version = ?", .int(old))
                return (version, count)
            }
        }
        try reloadKeys()
        return result
    }

    /// Wraps every data and fingerprint key under a new master key; the old one stops opening
    /// the vault.
    public func rewrap(newMaster: MasterKey) throws {
        try guarded {
            try connection.transaction {
                for (version, key) in crypto.dataKeys {
                    try connection.run("UPDATE data_keys SET wrapped = ? WHERE version = ?",
                                       .blob(VaultCrypto.wrap(key, purpose: "data-key", version: version, master: newMaster)), .int(version))
                }
                try connection.run("UPDATE fingerprint_keys SET wrapped = ? WHERE version = ?",
                                   .blob(VaultCrypto.wrap(crypto.fingerprintKey, purpose: "fingerprint-key", version: crypto.fingerprintKeyVersion, master: newMaster)),
                                   .int(crypto.fingerprintKeyVersion))
            }
        }
        masterKey = newMaster
    }

    private func reloadKeys() throws {
        crypto = try Vault.loadKeys(connection, master: masterKey)
    }

    // MARK: - Audit

    public struct AuditRecord: Sendable {
        public let at: String
        public let user: String
        public let host: String
        public let command: String
        public let jobID: String?
        /// Counts and names, as JSON.
        public let details: String
    }

    public func auditRecords(since: Date? = nil) throws -> [AuditRecord] {
        try guarded {
            let statement = try connection.prepare("SELECT at, os_user, host, command, job_id, details FROM audit WHERE at >= ? ORDER BY id")
            statement.bind(since.map(Timestamp.iso8601) ?? "", at: 1)
            var records: [AuditRecord] = []
            while try statement.step() {
                records.append(AuditRecord(at: statement.text(at: 0) ?? "", user: statement.text(at: 1) ?? "", host: statement.text(at: 2) ?? "",
                                           command: statement.text(at: 3) ?? "", jobID: statement.text(at: 4), details: statement.text(at: 5) ?? "{}"))
            }
            return records
        }
    }
}
