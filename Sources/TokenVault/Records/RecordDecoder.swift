/// Reads one record format: where a record ends, and what its fields are.
///
/// `RecordReader` cuts batches with `scan`; workers split each record with `fields`; the token
/// and result file readers name its values with `columns`. Implementations hold no per-file
/// state (the reader passes what it knows), so one value serves every worker.
protocol RecordDecoder: Sendable {
    /// True when the first record names the columns (CSV); false when every record names its
    /// own fields (JSON Lines).
    var hasHeader: Bool { get }

    /// Finds the record that starts at `start` in `bytes`.
    ///
    /// - Parameters:
    ///   - final: no more bytes will come (the end of the input).
    ///   - expectedFieldCount: the header's field count, or 0 before the header.
    func scan(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, final: Bool, expectedFieldCount: Int) -> RecordScan

    /// The column names of a header record (formats with a header).
    func headerNames(_ record: UnsafeBufferPointer<UInt8>) -> [String]

    /// Fills `fields` with a record's values for validation.
    ///
    /// - Parameters:
    ///   - layout: the header's columns (formats with a header).
    ///   - unknownKeys: when not nil, collects the names the mapping does not know.
    /// - Returns: why the record cannot be read, or nil.
    func fields(
        _ record: UnsafeBufferPointer<UInt8>, layout: ColumnLayout?, mapping: FieldMapping,
        into fields: RowFields, unknownKeys: inout [String]?
    ) -> MalformedReason?

    /// A record's values by name, in the file's order (a header's, or sorted keys).
    ///
    /// - Parameter header: the header's names (formats with a header).
    /// - Returns: nil when the record cannot be read.
    func columns(_ record: UnsafeBufferPointer<UInt8>, header: [String]) -> [(name: String, value: String)]?
}

/// What a decoder found at a position of the buffer.
enum RecordScan: Equatable {
    case record(start: Int, end: Int, next: Int, problem: MalformedReason?)
    case blank(next: Int)
    case needMore
    case end
}
