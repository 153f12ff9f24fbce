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
    private let blockMask: UInt64
    /// Prefixes added so far.
    private(set) var count = 0

    /// Keys it holds before the false-positive rate passes about 1% (at 10 bits a key).
    var capacity: Int { words.count * 64 / 10 }

    /// A filter for about `expected` keys, at least 64 KiB, rounded up to a power of two.
    init(expected: Int) {
        let bits = max(1 << 19, expected * 16)
        var blocks = 1
        while blocks * 512 < bits { blocks <<= 1 }
        words = [UInt64](repeating: 0, count: blocks * 8)
        blockMask = UInt64(blocks - 1)
    }

    /// The fingerprint prefix is an HMAC output, uniform already: its high bits pick the block and
    /// a mix of it picks the bits inside the block.
    @inline(__always)
    private func positions(_ prefix: Int64) -> (block: Int, mixed: UInt64) {
        let key = UInt64(bitPattern: prefix)
        var mixed = key &* 0x9E37_79B9_7F4A_7C15
        mixed ^= mixed >> 29
        return (Int((key >> 40) & blockMask) &* 8, mixed)
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
