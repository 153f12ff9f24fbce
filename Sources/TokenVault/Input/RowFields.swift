/// The fields of one row, as trimmed, unescaped UTF-8 bytes; one instance is reused per worker.
///
/// Values are copied into one growing buffer, so reading a row allocates nothing once warm.
final class RowFields {
    private(set) var storage: [UInt8] = []
    private var starts = [Int32](repeating: -1, count: Field.allCases.count)
    private var lengths = [Int32](repeating: 0, count: Field.allCases.count)

    init() { storage.reserveCapacity(4096) }

    func reset() {
        storage.removeAll(keepingCapacity: true)
        for i in starts.indices { starts[i] = -1 }
    }

    /// Stores `bytes` as the value of `field`, trimmed of surrounding spaces and tabs.
    func set(_ field: Field, _ bytes: UnsafeBufferPointer<UInt8>) {
        var s = 0, e = bytes.count
        while s < e && (bytes[s] == 0x20 || bytes[s] == 0x09) { s += 1 }
        while e > s && (bytes[e - 1] == 0x20 || bytes[e - 1] == 0x09) { e -= 1 }
        starts[field.rawValue] = Int32(storage.count)
        lengths[field.rawValue] = Int32(e - s)
        storage.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[s..<e]))
    }

    /// Begins a value built byte by byte (unescaping); finish with `endValue`.
    func beginValue() -> Int { storage.count }
    func append(_ byte: UInt8) { storage.append(byte) }
    func endValue(_ field: Field, from mark: Int) {
        storage.withUnsafeBufferPointer { all in
            let value = UnsafeBufferPointer(rebasing: all[mark...])
            var s = 0, e = value.count
            while s < e && (value[s] == 0x20 || value[s] == 0x09) { s += 1 }
            while e > s && (value[e - 1] == 0x20 || value[e - 1] == 0x09) { e -= 1 }
            starts[field.rawValue] = Int32(mark + s)
            lengths[field.rawValue] = Int32(e - s)
        }
    }

    /// True when the field is present and not empty.
    func has(_ field: Field) -> Bool { starts[field.rawValue] >= 0 && lengths[field.rawValue] > 0 }

    /// The value's bytes, or nil when the field is absent or empty.
    func bytes(_ field: Field) -> ArraySlice<UInt8>? {
        guard has(field) else { return nil }
        let s = Int(starts[field.rawValue])
        return storage[s..<(s + Int(lengths[field.rawValue]))]
    }

    /// The value as a string, or nil when absent or empty.
    func string(_ field: Field) -> String? {
        bytes(field).map { String(decoding: $0, as: UTF8.self) }
    }
}
