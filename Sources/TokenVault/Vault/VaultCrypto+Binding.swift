/// The check that binds a fingerprint to its record (issue 11): the dedup index maps a keyed
/// fingerprint to a row, but nothing in that row's clear columns proves the fingerprint belongs
/// to it. Someone who can write the database could swap two rows' fingerprints, and the next run
/// would report the wrong token as `existing`.
///
/// The record itself is sealed (AES-GCM, its token in the associated data), so the binding is
/// checked from it: open the matched record, recompute its instrument's fingerprint, compare.
/// This holds for every record ever sealed, needs no format change (records of existing vaults
/// are checked the same way) and survives `keys rotate --fingerprint`, which recomputes
/// fingerprints from the records in the same way.
extension VaultCrypto {
    /// Checks that the record sealed under `token` is the instrument `fingerprint` names.
    ///
    /// - Throws: `vaultCorrupt` naming the token (never a number) when it is not, or when the
    ///   record does not open (moved to another token, or damaged).
    func checkBinding(of fingerprint: Fingerprint, to token: Token, kind: InstrumentKind, sealed: [UInt8], dataKey: Int) throws {
        var payload = try open(sealed, token: token, kind: kind, keyVersion: dataKey)
        defer { payload.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        let fields = try SealedPayload.decode(payload)
        guard var identity = InstrumentIdentity.fromPayload(fields, kind: kind) else {
            throw TokenVaultError(.vaultCorrupt, "the vault's record of token \(token) holds no instrument identity")
        }
        defer { identity.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        guard self.fingerprint(identity) == fingerprint else {
            throw TokenVaultError(
                .vaultCorrupt,
                "the vault's fingerprint index does not match the record of token \(token): the vault was altered outside tokenvault; stop and restore it from a backup"
            )
        }
    }
}
