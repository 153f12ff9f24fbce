/// A live instrument the vault already holds, as a run meets it: its token, its clear alias and
/// its sealed record. Results show what the vault holds for an existing instrument (SPEC §10),
/// so the record travels to the workers, which open it to show the stored expiry.
struct StoredInstrument: Sendable {
    let token: Token
    /// The alias stored in clear.
    let alias: String?
    /// nonce ‖ ciphertext ‖ tag, bound to `token`.
    let sealed: [UInt8]
    /// The data-key version that sealed it.
    let dataKey: Int
}
