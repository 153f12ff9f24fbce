/// One instrument looked up by token: enough to detokenize it or to say why not.
struct InstrumentRecord: Sendable {
    let kind: InstrumentKind
    /// nonce ‖ ciphertext ‖ tag; nil once deleted.
    let sealed: [UInt8]?
    /// The data-key version that sealed it.
    let dataKey: Int
    /// Set once crypto-shredded (a tombstone keeps the token).
    let deletedAt: String?
}
