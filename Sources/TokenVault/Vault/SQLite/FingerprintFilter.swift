/// A blocked Bloom filter over fingerprint prefixes: "certainly not in the vault" without
/// touching the fingerprint index, which at 10M records is far larger than the page cache.
///
/// A new instrument (the bulk of a migration) then costs no random index read at all; only a
/// filter hit (a repeat, or about 1 in 100 new rows at the fill limit) probes the index. Each
/// prefix sets 6 bits in one 512-bit block (one cache line), so a query is one memory miss.
/// It is never persisted: the writer fills it from the vault when it starts and keeps it up to
/// date, and a false positive only costs a probe, so its rate is a speed matter, not a safety one.
struct FingerprintFilter {
    private var words: [UInt64]
    private let blocks: UInt64
    /// Prefixes added so far.
    private(set) var count = 0

    /// Keys it holds before it passes 8 bits a key (a false-positive rate of a few percent):
    /// past that, the writer builds a larger one.
    var capacity: Int { words.count * 64 / 8 }

    /// The memory a filter for `expected` keys holds, before it is made.
    static func byteCount(expected: Int) -> Int { blocks(expected: expected) * 64 }

    private static func blocks(expected: Int) -> Int { max(1 << 10, (expected * 12 + 511) / 512) }

    /// A filter of 12 bits a key for `expected` keys (at least 64 KiB): sized to the need, not
    /// to a power of two, since at 30M records it is one of the largest things in memory.
    init(expected: Int) {
        let blocks = Self.blocks(expected: expected)
        words = [UInt64](repeating: 0, count: blocks * 8)
        self.blocks = UInt64(blocks)
    }

    /// The fingerprint prefix is an HMAC output, uniform already: its high half picks the block
    /// (multiply-shift, any block count) and a mix of its low half the bits inside the block.
    @inline(__always)
    private func positions(_ prefix: Int64) -> (block: Int, mixed: UInt64) {
        let key = UInt64(bitPattern: prefix)
        var mixed = (key & 0xFFFF_FFFF) &* 0x9E37_79B9_7F4A_7C15
        mixed ^= mixed >> 29
        return (Int(((key >> 32) &* blocks) >> 32) &* 8, mixed)
    }

    mutating func insert(_ prefix: Int64) {
        let (base, mixed) = positions(prefix)
        words.withUnsafeMutableBufferPointer { words in
            for probe in 0..<6 {
                let bit = Int((mixed >> UInt64(probe * 9)) & 511)
                words[base + bit >> 6] |= 1 << UInt64(bit & 63)
            }
        }
        count += 1
    }

    func mayContain(_ prefix: Int64) -> Bool {
        let (base, mixed) = positions(prefix)
        return words.withUnsafeBufferPointer { words in
            for probe in 0..<6 {
                let bit = Int((mixed >> UInt64(probe * 9)) & 511)
                if words[base + bit >> 6] & (1 << UInt64(bit & 63)) == 0 { return false }
            }
            return true
        }
    }
}
