/// Format-preserving card tokens (SPEC §11, `init --token-format format-preserving`): the
/// card's length, its first 6 and last 4 digits, random middle digits from the CSPRNG, and a
/// failing Luhn check on purpose, so that a token can never be taken for a card number.
///
/// Stored in the same 16 bytes as a UUID: `high` holds a marker and the length, `low` the
/// digits as an integer (19 digits fit in 64 bits). The marker leaves the UUID version nibble
/// zero, so no UUID v4 can ever read as one.
extension Token {
    /// `FPT` in the top bytes; the length in the lowest byte.
    private static let formatPreservingMarker: UInt64 = 0x4650_5400_0000_0000

    /// True for a format-preserving card token.
    public var isFormatPreserving: Bool {
        high & 0xFFFF_FF00_0000_FF00 == Token.formatPreservingMarker && (12...19).contains(Int(high & 0xFF))
    }

    /// Random bytes one token needs: two per middle digit, for at most 9 middle digits.
    package static let formatPreservingRandomBytes = 18

    /// A format-preserving token for `card` (12–19 ASCII digits), its middle digits drawn from
    /// `random` (`formatPreservingRandomBytes` bytes).
    package static func formatPreserving(card: some Collection<UInt8>, random: UnsafeRawBufferPointer) -> Token {
        let digits = card.map { $0 - 0x30 }
        precondition((12...19).contains(digits.count) && random.count >= formatPreservingRandomBytes)
        var token = digits
        for (k, index) in (6..<(digits.count - 4)).enumerated() {
            // Two bytes per digit: 65,536 mod 10 leaves a bias of 6 in 65,536, far below any use.
            let value = UInt16(random[2 * k]) << 8 | UInt16(random[2 * k + 1])
            token[index] = UInt8(value % 10)
        }
        if Luhn.isValid(token) {
            // One middle digit moved by one always breaks the check.
            let last = digits.count - 5
            token[last] = (token[last] + 1) % 10
        }
        return Token(digits: token)
    }

    /// Another format-preserving token of the same length, first 6 and last 4 digits: a new
    /// draw after a collision.
    package func redrawn() -> Token {
        precondition(isFormatPreserving)
        var digits: [UInt8] = []
        appendDigits(to: &digits)
        let random = SecureRandom.bytes(Token.formatPreservingRandomBytes)
        return random.withUnsafeBytes { Token.formatPreserving(card: digits, random: $0) }
    }

    private init(digits: [UInt8]) {
        var value: UInt64 = 0
        for digit in digits { value = value * 10 + UInt64(digit) }
        self.init(high: Token.formatPreservingMarker | UInt64(digits.count), low: value)
    }

    /// Parses 12–19 ASCII digits.
    init?(formatPreservingDigits utf8: [UInt8]) {
        guard (12...19).contains(utf8.count), utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        self.init(digits: utf8.map { $0 - 0x30 })
    }

    /// Appends the digits (ASCII), leading zeros kept.
    func appendDigits(to buffer: inout [UInt8]) {
        let count = Int(high & 0xFF)
        var value = low
        var digits = [UInt8](repeating: 0x30, count: count)
        for index in stride(from: count - 1, through: 0, by: -1) {
            digits[index] = UInt8(0x30 + value % 10)
            value /= 10
        }
        buffer.append(contentsOf: digits)
    }
}
