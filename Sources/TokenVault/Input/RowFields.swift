/// The fields of one row, as trimmed, unescaped UTF-8 bytes; one instance is reused per worker.
///
/// Values are copied into one growing buffer, so reading a row allocates nothing once warm.
/// Each value has a slot: the field's raw value, then one slot per kept column
/// (`--keep-column`, after the last field).
final class RowFields {
    private(set) var storage: [UInt8] = []
    private var starts: [Int32]
    private var lengths: [Int32]

    /// The slot of kept column `index`.
    static func keptSlot(_ index: Int) -> Int { Field.allCases.count + index }

    init(keptColumns: Int = 0) {
        starts = [Int32](repeating: -1, count: Field.allCases.count + keptColumns)
        lengths = [Int32](repeating: 0, count: Field.allCases.count + keptColumns)
        storage.reserveCapacity(4096)
    }

    func reset() {
        storage.removeAll(keepingCapacity: true)
        for i in starts.indices { starts[i] = -1 }
    }

    /// Stores `bytes` as the value of `field`, trimmed of surrounding spaces and tabs.
    func set(_ field: Field, _ bytes: UnsafeBufferPointer<UInt8>) { set(slot: field.rawValue, bytes) }

    /// Stores `bytes` in a slot (a field's or a kept column's), trimmed as `set` does.
    func set(slot: Int, _ bytes: UnsafeBufferPointer<UInt8>) {
        var s = 0, e = bytes.count
        while s < e && (bytes[s] == 0x20 || bytes[s] == 0x09) { s += 1 }
        while e > s && (bytes[e - 1] == 0x20 || bytes[e - 1] == 0x09) { e -= 1 }
        starts[slot] = Int32(storage.count)
        lengths[slot] = Int32(e - s)
        storage.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[s..<e]))
    }

    /// Begins a value built byte by byte (unescaping); finish with `endValue`.
    func beginValue() -> Int { storage.count }
    func append(_ byte: UInt8) { storage.append(byte) }
    func endValue(_ field: Field, from mark: Int) { endValue(slot: field.rawValue, from: mark) }
    func endValue(slot: Int, from mark: Int) {
        storage.withUnsafeBufferPointer { all in
            let value = UnsafeBufferPointer(rebasing: all[mark...])
            var s = 0, e = value.count
            while s < e && (value[s] == 0x20 || value[s] == 0x09) { s += 1 }
            while e > s && (value[e - 1] == 0x20 || value[e - 1] == 0x09) { e -= 1 }
            starts[slot] = Int32(mark + s)
            lengths[slot] = Int32(e - s)
        }
    }

    /// True when the field is present and not empty.
    func has(_ field: Field) -> Bool { has(slot: field.rawValue) }
    func has(slot: Int) -> Bool { starts[slot] >= 0 && lengths[slot] > 0 }

    /// The value's bytes, or nil when the field is absent or empty.
    func bytes(_ field: Field) -> ArraySlice<UInt8>? { bytes(slot: field.rawValue) }
    func bytes(slot: Int) -> ArraySlice<UInt8>? {
        guard has(slot: slot) else { return nil }
        let s = Int(starts[slot])
        return storage[s..<(s + Int(lengths[slot]))]
    }

    /// The value as a string, or nil when absent or empty.
    func string(_ field: Field) -> String? {
        bytes(field).map { String(decoding: $0, as: UTF8.self) }
    }
}
