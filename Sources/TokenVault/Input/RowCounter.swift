/// Counts an input's data rows before a run (`--expect-rows`, SPEC §11): the same reader the
/// run uses, so a row it counts is a row the run reports (blank JSON lines are skipped, a
/// malformed record counts as a row, the CSV header does not).
enum RowCounter {
    /// The data rows of the file at `path`.
    ///
    /// - Throws: `inputMissing` when it cannot be opened, `inputData` when it cannot be read to
    ///   its end (corrupt gzip, an unreadable header).
    static func count(path: String, format: RecordFormat, delimiter: UInt8, openPGP: OpenPGPSession? = nil) throws -> Int {
        let reader = RecordReader(source: try InputSource(path: path, openPGP: openPGP), format: format, delimiter: delimiter)
        if reader.hasHeader {
            _ = try reader.readHeader()
        }
        return try reader.countRecords()
    }
}
