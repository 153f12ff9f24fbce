/// A run of consecutive records of one input file, as raw bytes, cut by the reader thread.
///
/// Records are consecutive rows: record `i` is row `firstRow + i`. Workers split and validate them.
struct RawBatch: Sendable {
    /// The batch's place in the whole run (all files), which fixes output order.
    var sequence: Int
    var inputIndex: Int
    var firstRow: Int
    /// The bytes of all records, back to back.
    var bytes: [UInt8]
    var records: [RawRecord]
}

/// One record inside a `RawBatch`: a byte range, and why it cannot be read, if it cannot.
struct RawRecord: Sendable {
    var start: Int32
    var end: Int32
    var problem: MalformedReason?
}
