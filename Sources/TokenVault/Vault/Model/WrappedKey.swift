/// A data or fingerprint key as the store keeps it: wrapped (AES-256-GCM) under the master key,
/// which the store never sees.
struct WrappedKey: Sendable, Equatable {
    let version: Int
    /// nonce ‖ ciphertext ‖ tag, bound to the key's purpose and version.
    let wrapped: [UInt8]
    let createdAt: String
}
