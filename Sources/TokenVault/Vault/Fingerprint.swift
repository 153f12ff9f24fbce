/// A keyed HMAC-SHA256 of an instrument's identity: the vault's dedup key.
///
/// Held as four integers so that computing one per row allocates nothing.
struct Fingerprint: Hashable, Sendable {
    var words: (UInt64, UInt64, UInt64, UInt64)

    init(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == 32)
        words = (
            bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
            bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
        )
    }

    /// The first 8 bytes as an integer: the leading column of the fingerprint index.
    var prefix: Int64 { Int64(bitPattern: words.0) }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = words
        return try withUnsafeBytes(of: &copy) { try body($0) }
    }

    static func == (a: Fingerprint, b: Fingerprint) -> Bool { a.words == b.words }
    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
    }
}
