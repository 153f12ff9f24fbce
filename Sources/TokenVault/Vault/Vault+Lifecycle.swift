import Crypto
import Foundation

/// Lookups, deletion (crypto-shredding) and key rotation: the cryptography here, the storage in
/// the store (SPEC §4).
extension Vault {
    /// The records of `tokens`, in order; nil for tokens the vault never issued.
    func instruments(withTokens tokens: [Token]) throws -> [InstrumentRecord?] {
        try store.instruments(withTokens: tokens)
    }

    /// The tokens the vault holds for these fingerprints, in order; nil where it holds none.
    func tokens(forFingerprints fingerprints: [Fingerprint]) throws -> [Token?] {
        try store.tokens(forFingerprints: fingerprints)
    }

    // MARK: - Delete

    /// Crypto-shreds tokens: ciphertext, fingerprint and identifying clear fields are erased, a
    /// tombstone keeps the token, time and reason. The same instrument tokenized later gets a
    /// new token.
    public func delete(_ tokens: [Token], reason: DeleteReason, at date: Date) throws -> DeleteCounts {
        try store.delete(tokens, reason: reason, at: Timestamp.iso8601(date))
    }

    // MARK: - Keys

    public func keyStatus() throws -> KeyStatus { try records.keyStatus() }

    /// Adds a data-key version and makes it the one new records are sealed with.
    public func rotateDataKey(at date: Date) throws -> Int {
        let master = masterKey
        let version = try store.addDataKey(createdAt: Timestamp.iso8601(date)) { version in
            try VaultCrypto.wrap(SymmetricKey(size: .bits256), purpose: "data-key", version: version, master: master)
        }
        try reloadKeys()
        return version
    }

    /// Re-seals records of older data-key versions under the active one, `batchSize` records per
    /// transaction: killed at any point, what is committed stays, and running it again finishes.
    ///
    /// - Returns: the records moved.
    public func reencrypt(batchSize: Int, progress: (Int, Int) -> Void = { _, _ in }) throws -> Int {
        let crypto = self.crypto
        let active = crypto.activeDataKey
        let remaining = try store.recordCount(notSealedUnder: active)
        var moved = 0
        while true {
            var nonces = SecureRandom.bytes(12 * batchSize)[...]
            let done = try store.resealBatch(under: active, limit: batchSize) { record in
                let plain = try crypto.open(record.sealed, token: record.token, kind: record.kind, keyVersion: record.dataKey)
                let nonce = nonces.prefix(12)
                nonces = nonces.dropFirst(12)
                return try nonce.withUnsafeBytes { Array(try crypto.seal(plain, token: record.token, kind: record.kind, nonce: $0)) }
            }
            if done == 0 { break }
            moved += done
            progress(moved, remaining)
        }
        return moved
    }

    /// Replaces the fingerprint key and recomputes every fingerprint from the decrypted records,
    /// in one transaction: dedup is never half on the old key. Tokens do not change.
    ///
    /// - Returns: the new version and the records refingerprinted.
    public func rotateFingerprintKey(at date: Date) throws -> (version: Int, records: Int) {
        let crypto = self.crypto
        let master = masterKey
        var next: VaultCrypto?
        let result = try store.replaceFingerprintKey(createdAt: Timestamp.iso8601(date)) { version in
            let key = SymmetricKey(size: .bits256)
            next = VaultCrypto(
                dataKeys: crypto.dataKeys, activeDataKey: crypto.activeDataKey, fingerprintKey: key, fingerprintKeyVersion: version)
            return try VaultCrypto.wrap(key, purpose: "fingerprint-key", version: version, master: master)
        } refingerprint: { record in
            let payload = try SealedPayload.decode(
                try crypto.open(record.sealed, token: record.token, kind: record.kind, keyVersion: record.dataKey))
            guard let identity = InstrumentIdentity.fromPayload(payload, kind: record.kind), let next else {
                throw TokenVaultError(.vaultCorrupt, "a record of token \(record.token) has no identity to fingerprint")
            }
            return next.fingerprint(identity)
        }
        try reloadKeys()
        return result
    }

    /// Wraps every data and fingerprint key under a new master key; the old one stops opening
    /// the vault.
    public func rewrap(newMaster: MasterKey) throws {
        try store.rewrapKeys(
            dataKeys: try crypto.dataKeys.sorted { $0.key < $1.key }.map { version, key in
                WrappedKey(
                    version: version, wrapped: try VaultCrypto.wrap(key, purpose: "data-key", version: version, master: newMaster),
                    createdAt: "")
            },
            fingerprintKey: WrappedKey(
                version: crypto.fingerprintKeyVersion,
                wrapped: try VaultCrypto.wrap(
                    crypto.fingerprintKey, purpose: "fingerprint-key", version: crypto.fingerprintKeyVersion, master: newMaster),
                createdAt: ""))
        masterKey = newMaster
    }

    private func reloadKeys() throws {
        crypto = try Vault.loadKeys(store, master: masterKey)
    }

    /// The audit trail, oldest first, optionally since a date.
    public func auditEntries(since: Date? = nil) throws -> [AuditEntry] { try records.auditEntries(since: since) }
}
