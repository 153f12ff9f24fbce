/// A live record as key operations see it (re-encryption, fingerprint rotation).
struct SealedRecord: Sendable {
    /// The store's own key of the record, for the update that follows.
    let id: Int64
    let token: Token
    let kind: InstrumentKind
    let sealed: [UInt8]
    let dataKey: Int
}
