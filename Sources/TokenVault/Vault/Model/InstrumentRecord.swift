/// One instrument looked up by token: enough to detokenize it or to say why not.
struct InstrumentRecord: Sendable {
    let kind: InstrumentKind
    /// nonce ‖ ciphertext ‖ tag; nil once deleted.
    let sealed: [UInt8]?
    /// The data-key version that sealed it.
    let dataKey: Int
    /// Set once crypto-shredded (a tombstone keeps the token).
    let deletedAt: String?
    /// The run, input (its position in the run) and data row that created it: `verify` checks
    /// a result's `new`/`existing` against them.
    let createdRun: Int64
    let createdInput: Int
    let createdRow: Int
}
