import Foundation

/// Reads a result file (CSV or JSON Lines, gzip or plain) one row at a time.
final class ResultFileReader {
    struct Row {
        let row: Int
        let status: String
        let token: String
        /// `brand` for cards, `country` for bank accounts.
        let group: String
        /// Cards: `MM/YY`, or empty.
        let expiry: String
    }

    private let reader: RecordReader
    private let format: InputFormat
    private var columns: [String: Int] = [:]
    private var buffered: [Row] = []
    private var cursor = 0
    private var sequence = 0
    /// With several inputs a run's results have a `file` column: only this input's rows count.
    private let inputPath: String

    init(path: String, inputPath: String) throws {
        guard let format = InputFormat.inferred(fromPath: path) else {
            throw TokenVaultError(.usage, "cannot tell the format of \(path) from its name")
        }
        self.format = format
        self.inputPath = inputPath
        reader = RecordReader(source: try InputSource(path: path), format: format, delimiter: UInt8(ascii: ","))
        if format == .csv {
            let header = try reader.readHeader()
            for (index, name) in header.enumerated() { columns[name] = index }
            guard columns["row"] != nil, columns["status"] != nil, columns["token"] != nil else {
                throw TokenVaultError(.inputData, "\(path) is not a tokenvault result file (no row, status and token columns)")
            }
        }
    }

    func next() throws -> Row? {
        while cursor == buffered.count {
            buffered.removeAll(keepingCapacity: true)
            cursor = 0
            guard let batch = try reader.nextBatch(maxRecords: 4096, sequence: sequence, inputIndex: 0) else { return nil }
            sequence += 1
            batch.bytes.withUnsafeBufferPointer { bytes in
                for record in batch.records where record.problem == nil {
                    let slice = UnsafeBufferPointer(rebasing: bytes[Int(record.start)..<Int(record.end)])
                    var values: [String: String] = [:]
                    if format == .csv {
                        let fields = CSVFieldSplitter.splitAll(slice, delimiter: UInt8(ascii: ","))
                        for (name, index) in columns where index < fields.count { values[name] = fields[index] }
                    } else if let object = try? JSONSerialization.jsonObject(with: Data(slice)) as? [String: Any] {
                        for (key, value) in object {
                            if let text = value as? String { values[key] = text } else if let number = value as? NSNumber, key == "row" { values[key] = number.stringValue }
                        }
                    }
                    if let file = values["file"], file != inputPath, (file as NSString).lastPathComponent != (inputPath as NSString).lastPathComponent {
                        continue
                    }
                    guard let row = values["row"].flatMap({ Int($0) }) else { continue }
                    buffered.append(Row(row: row, status: values["status"] ?? "", token: values["token"] ?? "",
                                        group: values["brand"] ?? values["country"] ?? "", expiry: values["expiry"] ?? ""))
                }
            }
        }
        cursor += 1
        return buffered[cursor - 1]
    }
}
