import Foundation

/// Reads a file of tokens (CSV with a `token` column, or JSON Lines with a `token` key; gzip or
/// not) row by row, keeping every other column to pass through.
final class TokenFileReader {
    /// One row: its number, its columns in order, and the token text.
    struct Row {
        let row: Int
        /// With a header, exactly its columns; without one, the record's keys (and `row`).
        let columns: [(name: String, value: String)]
        let token: String
        let problem: MalformedReason?
    }

    let format: RecordFormat
    /// The header's names (empty for a format without one, whose records name their keys).
    private(set) var header: [String] = []
    private let reader: RecordReader
    private var sequence = 0
    private var nextRow = 1

    init(path: String, format: RecordFormat? = nil, openPGP: OpenPGPSession? = nil) throws {
        guard let format = format ?? RecordFormat.inferred(fromPath: path) ?? (path == "-" ? .csv : nil) else {
            throw TokenVaultError(.usage, "cannot tell the format of \(path) from its name")
        }
        self.format = format
        reader = RecordReader(source: try InputSource(path: path, openPGP: openPGP), format: format, delimiter: UInt8(ascii: ","))
        if reader.hasHeader {
            header = try reader.readHeader()
            guard header.contains(where: { Field.normalizedName($0) == "token" }) else {
                throw TokenVaultError(.inputData, "\(path) has no token column")
            }
        }
    }

    /// The next rows (up to `limit`), or an empty array at the end.
    func next(limit: Int) throws -> [Row] {
        guard let batch = try reader.nextBatch(maxRecords: limit, sequence: sequence, inputIndex: 0) else { return [] }
        sequence += 1
        var rows: [Row] = []
        rows.reserveCapacity(batch.records.count)
        batch.bytes.withUnsafeBufferPointer { bytes in
            for record in batch.records {
                defer { nextRow += 1 }
                guard record.problem == nil else {
                    rows.append(Row(row: nextRow, columns: complete([]), token: "", problem: record.problem))
                    continue
                }
                let slice = UnsafeBufferPointer(rebasing: bytes[Int(record.start)..<Int(record.end)])
                guard let read = reader.decoder.columns(slice, header: header) else {
                    rows.append(Row(row: nextRow, columns: complete([]), token: "", problem: .invalidJSON))
                    continue
                }
                let columns = complete(read)
                let token = columns.first { Field.normalizedName($0.0) == "token" }?.1 ?? ""
                rows.append(Row(row: nextRow, columns: columns, token: token.trimmingASCIIWhitespace(), problem: nil))
            }
        }
        return rows
    }

    /// A row's columns as writers need them: with a header, exactly the header's (missing
    /// ones empty), so a row lines up with it; without one, the record's own keys and a `row`
    /// key when it has none (its line is not its row number: blank lines are skipped).
    private func complete(_ columns: [(name: String, value: String)]) -> [(name: String, value: String)] {
        guard header.isEmpty else {
            return columns + header[min(columns.count, header.count)...].map { ($0, "") }
        }
        guard !columns.contains(where: { $0.name == "row" }) else { return columns }
        return columns + [("row", String(nextRow))]
    }
}
