/// The open transaction's new records by fingerprint, for the writer's in-transaction repeats:
/// an open-addressing table of positions in the writer's list of pending fingerprints, placed by
/// the fingerprint prefix (an HMAC output, uniform already, so its low bits are the hash).
///
/// 4 bytes a slot where a `[Fingerprint: Int64]` took a 40-byte entry and a SipHash of 32 bytes
/// per row: about 2 MB instead of 21 MB for a 250,000-row transaction, within SPEC §6's bound.
struct PendingFingerprintIndex {
    private var slots: [Int32]
    private var mask: Int
    /// Positions inserted since the last `removeAll`.
    private(set) var count = 0

    init(capacity: Int) {
        let size = Self.slotCount(for: capacity)
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    /// A power of two at least twice `capacity`: probes stay short.
    private static func slotCount(for capacity: Int) -> Int {
        var size = 1024
        while size < capacity * 2 { size <<= 1 }
        return size
    }

    @inline(__always)
    private func home(_ prefix: Int64) -> Int { Int(truncatingIfNeeded: prefix) & mask }

    /// The position stored under `prefix` for which `matches` is true, if any.
    func find(_ prefix: Int64, where matches: (Int) -> Bool) -> Int? {
        slots.withUnsafeBufferPointer { slots in
            var slot = home(prefix)
            while true {
                let position = slots[slot]
                if position < 0 { return nil }
                if matches(Int(position)) { return Int(position) }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Adds `position` under `prefix`; `prefixOf` gives the prefix of any position added before,
    /// for when the table grows (a transaction longer than the capacity, e.g. all-or-nothing).
    mutating func insert(_ prefix: Int64, position: Int, prefixOf: (Int) -> Int64) {
        if (count + 1) * 2 > slots.count {
            let size = slots.count * 2
            slots = [Int32](repeating: -1, count: size)
            mask = size - 1
            let existing = count
            count = 0
            for old in 0..<existing { place(prefixOf(old), position: old) }
        }
        place(prefix, position: position)
    }

    private mutating func place(_ prefix: Int64, position: Int) {
        precondition(position < Int(Int32.max), "a transaction of more than 2^31 rows")
        var slot = home(prefix)
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(position)
        count += 1
    }

    mutating func removeAll() {
        guard count > 0 else { return }
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
        count = 0
    }
}
