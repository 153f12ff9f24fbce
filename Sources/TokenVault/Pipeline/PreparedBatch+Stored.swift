/// Results show what the vault holds for an existing instrument (SPEC §10): the stored alias,
/// and for a card the stored expiry and whether the stored record carries a network token.
extension PreparedBatch {
    /// Opens the stored record of every existing row into `Resolution.shown`. Runs on a worker,
    /// after the vault writer, so the writer's serial path decrypts nothing.
    ///
    /// - Throws: `vaultCorrupt` when a stored record does not open.
    mutating func openStoredRecords(crypto: VaultCrypto, kind: InstrumentKind) throws {
        for index in resolutions.indices {
            guard let stored = resolutions[index].stored else { continue }
            guard kind == .card else {
                resolutions[index].shown = ShownRecord(alias: stored.alias, expiry: nil, hasNetworkToken: false)
                continue
            }
            var payload = try crypto.open(stored.sealed, token: stored.token, kind: kind, keyVersion: stored.dataKey)
            let fields = try SealedPayload.shownCardFields(payload)
            for i in payload.indices { payload[i] = 0 }
            resolutions[index].shown = ShownRecord(alias: stored.alias, expiry: fields.expiry, hasNetworkToken: fields.hasNetworkToken)
        }
    }
}
