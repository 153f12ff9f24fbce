/// One instrument record exactly as stored, tombstones included: what `vault copy` moves.
/// Nothing here is in clear but the display fields; `sealed` is ciphertext.
struct InstrumentRow: Sendable, Equatable {
    var id: Int64
    var token: Token
    var kind: InstrumentKind
    var fingerprint: [UInt8]?
    var fingerprintKey: Int?
    var dataKey: Int?
    var sealed: [UInt8]?
    var alias: String?
    var brand: String?
    var country: String?
    var bin: String?
    var bankCode: String?
    var last4: String?
    var metadata: String?
    var createdRun: Int64
    var createdInput: Int
    var createdRow: Int64
    var deletedAt: String?
    var deleteReason: String?
}
