/// What a new vault holds before its first run: its identity and its first keys, wrapped.
struct VaultGenesis: Sendable {
    let vaultID: String
    let createdAt: String
    let dataKey: WrappedKey
    let fingerprintKey: WrappedKey
    /// How card tokens look, for the vault's whole life (SPEC §11).
    var tokenFormat: TokenFormat = .uuid
}
