import Foundation

/// Reads a file of tokens (CSV with a `token` column, or JSON Lines with a `token` key; gzip or
/// not) row by row, keeping every other column to pass through.
final class TokenFileReader {
    /// One row: its number, its columns in order, and the token text.
    struct Row {
        let row: Int
        let columns: [(name: String, value: String)]
        let token: String
        let problem: MalformedReason?
    }

    let format: InputFormat
    /// The CSV header (empty for JSON Lines, whose keys come with each row).
    private(set) var header: [String] = []
    private let reader: RecordReader
    private var sequence = 0
    private var nextRow = 1

    init(path: String, format: InputFormat? = nil, openPGP: OpenPGPSession? = nil) throws {
        guard let format = format ?? InputFormat.inferred(fromPath: path) ?? (path == "-" ? .csv : nil) else {
            throw TokenVaultError(.usage, "cannot tell the format of \(path) from its name")
        }
        self.format = format
        reader = RecordReader(source: try InputSource(path: path, openPGP: openPGP), format: format, delimiter: UInt8(ascii: ","))
        if format == .csv {
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
                    rows.append(Row(row: nextRow, columns: [], token: "", problem: record.problem))
                    continue
                }
                let slice = UnsafeBufferPointer(rebasing: bytes[Int(record.start)..<Int(record.end)])
                var columns: [(String, String)] = []
                if format == .csv {
                    columns = Array(zip(header, CSVFieldSplitter.splitAll(slice, delimiter: UInt8(ascii: ","))))
                } else if let object = try? JSONSerialization.jsonObject(with: Data(slice)) as? [String: Any] {
                    columns = object.keys.sorted().map { key in
                        let value = object[key]!
                        return (key, value as? String ?? (value as? NSNumber)?.stringValue ?? (value is NSNull ? "" : "\(value)"))
                    }
                } else {
                    rows.append(Row(row: nextRow, columns: [], token: "", problem: .invalidJSON))
                    continue
                }
                let token = columns.first { Field.normalizedName($0.0) == "token" }?.1 ?? ""
                rows.append(Row(row: nextRow, columns: columns, token: token.trimmingASCIIWhitespace(), problem: nil))
            }
        }
        return rows
    }
}
