import Foundation

/// The sealing a store's writer needs in the middle of a batch, without holding keys itself:
/// re-sealing an existing record with a row's fields (`--on-existing update`, SPEC §10), and
/// re-sealing a new record under a redrawn format-preserving token after a collision (SPEC §11).
///
/// Clear payloads are overwritten before they are freed.
struct RecordSealer: Sendable {
    let crypto: VaultCrypto
    let kind: InstrumentKind
    let onExisting: ExistingPolicy

    /// The stored record re-sealed under the active data key with the row's expiry and holder
    /// name, or nil under `keep` or when the row changes nothing.
    ///
    /// - Throws: `vaultCorrupt` when a record does not open.
    func resealed(_ stored: StoredInstrument, with row: PreparedInstrument) throws -> (sealed: [UInt8], dataKey: Int)? {
        guard onExisting == .update else { return nil }
        var storedPayload = try crypto.open(stored.sealed, token: stored.token, kind: kind, keyVersion: stored.dataKey)
        var rowPayload = try openRow(row)
        defer {
            RecordSealer.wipe(&storedPayload)
            RecordSealer.wipe(&rowPayload)
        }
        guard var merged = try SealedPayload.updated(storedPayload, from: rowPayload) else { return nil }
        defer { RecordSealer.wipe(&merged) }
        return (try seal(merged, token: stored.token), crypto.activeDataKey)
    }

    /// The row under a new format-preserving token (same length, first 6 and last 4), its
    /// record re-sealed for that token: the writer's answer to a token another record holds.
    func redrawn(_ row: PreparedInstrument) throws -> PreparedInstrument {
        var payload = try openRow(row)
        defer { RecordSealer.wipe(&payload) }
        let token = row.candidateToken.redrawn()
        return PreparedInstrument(
            fingerprint: row.fingerprint, candidateToken: token, sealed: Data(try seal(payload, token: token)), display: row.display)
    }

    private func openRow(_ row: PreparedInstrument) throws -> [UInt8] {
        try crypto.open(Array(row.sealed), token: row.candidateToken, kind: kind, keyVersion: crypto.activeDataKey)
    }

    private func seal(_ payload: [UInt8], token: Token) throws -> [UInt8] {
        let nonce = SecureRandom.bytes(12)
        return Array(try nonce.withUnsafeBytes { try crypto.seal(payload, token: token, kind: kind, nonce: $0) })
    }

    private static func wipe(_ bytes: inout [UInt8]) {
        for i in bytes.indices { bytes[i] = 0 }
    }
}
