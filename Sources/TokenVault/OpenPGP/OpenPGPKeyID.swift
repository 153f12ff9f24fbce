/// An OpenPGP key named by its fingerprint or by a long key id (the fingerprint's last 16 hex digits).
///
/// Short (8-digit) key ids are refused: they are easy to collide on purpose, and a signature
/// check that a forged key can pass is no check (RFC 4880 §12.2).
public struct OpenPGPKeyID: Sendable, Hashable, CustomStringConvertible {
    /// Upper-case hex digits: 16 (a long key id), 40 (a v4 fingerprint) or 64 (a v5 fingerprint).
    public let hex: String

    /// Parses hex digits, ignoring spaces and a leading `0x`.
    ///
    /// - Throws: `usage` when `text` is not 16, 40 or 64 hex digits.
    public init(parsing text: String) throws {
        guard let hex = Self.normalized(text), [16, 40, 64].contains(hex.count) else {
            throw TokenVaultError(.usage, "an OpenPGP key id must be a fingerprint (40 hex digits) or a long key id (16 hex digits)")
        }
        self.hex = hex
    }

    /// True when `text` is a whole fingerprint (40 or 64 hex digits).
    static func isFingerprint(_ text: String) -> Bool {
        guard let hex = normalized(text) else { return false }
        return hex.count == 40 || hex.count == 64
    }

    /// Whether a key whose fingerprint is `fingerprint` is the key this names.
    func matches(fingerprint: String) -> Bool {
        let upper = fingerprint.uppercased()
        return upper.count >= hex.count && upper.hasSuffix(hex)
    }

    public var description: String { hex }

    private static func normalized(_ text: String) -> String? {
        var digits = text.filter { $0 != " " }
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits.removeFirst(2) }
        guard !digits.isEmpty, digits.allSatisfy(\.isHexDigit) else { return nil }
        return digits.uppercased()
    }
}
