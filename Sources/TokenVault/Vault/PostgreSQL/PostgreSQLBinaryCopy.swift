/// Builds data in PostgreSQL's binary COPY format: a header, tuples of length-prefixed
/// big-endian fields, a trailer.
struct PostgreSQLBinaryCopy {
    private(set) var bytes: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]

    mutating func startTuple(fields: Int16) { append(fields) }

    mutating func null() { append(Int32(-1)) }

    mutating func int16(_ value: Int16) { field(size: 2) { $0.append(value) } }
    mutating func int32(_ value: Int32) { field(size: 4) { $0.append(value) } }
    mutating func int64(_ value: Int64) { field(size: 8) { $0.append(value) } }
    mutating func int32(_ value: Int?) { if let value { int32(Int32(value)) } else { null() } }

    mutating func bytes(_ value: some Collection<UInt8>) {
        append(Int32(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func bytes(_ value: [UInt8]?) { if let value { bytes(value) } else { null() } }

    mutating func text(_ value: String?) {
        if let value { bytes(value.utf8) } else { null() }
    }

    /// The data, with the trailer.
    mutating func finish() -> [UInt8] {
        append(Int16(-1))
        return bytes
    }

    private mutating func field(size: Int32, _ body: (inout PostgreSQLBinaryCopy) -> Void) {
        append(size)
        body(&self)
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
