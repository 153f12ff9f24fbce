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

/// Why a record could not be read; each is one `MALFORMED_RECORD` error for its row.
enum MalformedReason: UInt8, Sendable {
    case unterminatedQuote
    case textAfterClosingQuote
    case wrongFieldCount
    case invalidUTF8
    case invalidJSON
    case notAnObject

    var message: String {
        switch self {
        case .unterminatedQuote: "the row has a quoted field that is never closed"
        case .textAfterClosingQuote: "the row has text after the closing quote of a field"
        case .wrongFieldCount: "the row does not have as many fields as the header"
        case .invalidUTF8: "the row is not valid UTF-8"
        case .invalidJSON: "the line is not valid JSON"
        case .notAnObject: "the line is not a JSON object"
        }
    }
}
