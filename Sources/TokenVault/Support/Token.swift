/// A vault token: a random UUID version 4, shown in lowercase (RFC 9562 §5.4), or, in a vault
/// made with `--token-format format-preserving`, a card token of digits (`Token+FormatPreserving`).
///
/// A UUID is drawn from the CSPRNG and carries no information about the instrument it stands
/// for. Stored as two integers so that making one per row allocates nothing.
public struct Token: Hashable, Sendable, CustomStringConvertible {
    /// Bytes 0–7 and 8–15, big-endian.
    package let high: UInt64
    package let low: UInt64

    /// Makes a token from 16 random bytes, setting the version (4) and variant (10) bits.
    package init(random source: UnsafeRawBufferPointer) {
        precondition(source.count >= 16)
        let h = UInt64(bigEndian: source.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        let l = UInt64(bigEndian: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        high = (h & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        low = (l & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
    }

    /// A token read back from the vault's 16-byte form.
    package init?(storedBytes: UnsafeRawBufferPointer) {
        guard storedBytes.count == 16 else { return nil }
        high = UInt64(bigEndian: storedBytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        low = UInt64(bigEndian: storedBytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    package init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses the canonical 36-character form (case-insensitive), or a format-preserving
    /// token's 12–19 digits.
    public init?(_ text: some StringProtocol) {
        var utf8 = Array(text.utf8)
        // Tolerate a trailing CR or spaces from hand-edited files.
        while let last = utf8.last, last == 0x20 || last == 0x0D { utf8.removeLast() }
        if let digits = Token(formatPreservingDigits: utf8) {
            self = digits
            return
        }
        guard utf8.count == 36 else { return nil }
        var value: (UInt64, UInt64) = (0, 0)
        var nibbles = 0
        for (i, c) in utf8.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard c == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let v = Token.hexValue(c) else { return nil }
            if nibbles < 16 { value.0 = value.0 << 4 | UInt64(v) } else { value.1 = value.1 << 4 | UInt64(v) }
            nibbles += 1
        }
        high = value.0
        low = value.1
    }

    public var description: String { String(decoding: utf8, as: UTF8.self) }

    /// The canonical form as UTF-8 bytes.
    public var utf8: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(36)
        appendUTF8(to: &out)
        return out
    }

    /// An integer drawn from the token's random part: the leading column of the token index
    /// (the first 8 bytes of a UUID; the digits of a format-preserving token).
    package var prefix: Int64 { Int64(bitPattern: isFormatPreserving ? low : high) }

    /// Calls `body` with the 16 stored bytes (big-endian), as the vault keeps and binds them.
    package func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var pair = (high.bigEndian, low.bigEndian)
        return try withUnsafeBytes(of: &pair) { try body($0) }
    }

    /// Appends the 36-character form to `buffer`; the output writers use this in their hot loop.
    package func appendUTF8(to buffer: inout [UInt8]) {
        if isFormatPreserving {
            appendDigits(to: &buffer)
            return
        }
        for index in 0..<16 {
            if index == 4 || index == 6 || index == 8 || index == 10 { buffer.append(UInt8(ascii: "-")) }
            let word = index < 8 ? high : low
            let byte = UInt8(truncatingIfNeeded: word >> UInt64((7 - index % 8) * 8))
            buffer.append(Token.hexDigits[Int(byte >> 4)])
            buffer.append(Token.hexDigits[Int(byte & 0x0F)])
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
