import Foundation

/// Re-seals an existing record with a row's expiry and holder name (`--on-existing update`).
///
/// The store calls it for each row whose instrument it already holds; it opens both records,
/// merges them (`SealedPayload.updated`) and seals the result under the stored token, so the
/// ciphertext stays bound to that token. Clear payloads are overwritten before they are freed.
struct RecordUpdater: Sendable {
    let crypto: VaultCrypto
    let kind: InstrumentKind

    /// The stored record re-sealed under the active data key, or nil when the row changes nothing.
    ///
    /// - Throws: `vaultCorrupt` when a record does not open.
    func resealed(_ stored: StoredInstrument, with row: PreparedInstrument) throws -> (sealed: [UInt8], dataKey: Int)? {
        var storedPayload = try crypto.open(stored.sealed, token: stored.token, kind: kind, keyVersion: stored.dataKey)
        var rowPayload = try crypto.open(Array(row.sealed), token: row.candidateToken, kind: kind, keyVersion: crypto.activeDataKey)
        defer {
            RecordUpdater.wipe(&storedPayload)
            RecordUpdater.wipe(&rowPayload)
        }
        guard var merged = try SealedPayload.updated(storedPayload, from: rowPayload) else { return nil }
        defer { RecordUpdater.wipe(&merged) }
        let nonce = SecureRandom.bytes(12)
        let sealed = try nonce.withUnsafeBytes { try crypto.seal(merged, token: stored.token, kind: kind, nonce: $0) }
        return (Array(sealed), crypto.activeDataKey)
    }

    private static func wipe(_ bytes: inout [UInt8]) {
        for i in bytes.indices { bytes[i] = 0 }
    }
}
