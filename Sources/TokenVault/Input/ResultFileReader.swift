import Foundation

/// Reads a result file (any record format, gzip or plain, OpenPGP or clear) one row at a time.
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
    /// The header's names (empty for a format without one).
    private var header: [String] = []
    private var buffered: [Row] = []
    private var cursor = 0
    private var sequence = 0
    /// With several inputs a run's results have a `file` column: only this input's rows count.
    private let inputPath: String

    /// - Parameter openPGP: keys for a results file written with `--encrypt-to`.
    init(path: String, inputPath: String, openPGP: OpenPGPSession? = nil) throws {
        guard let format = RecordFormat.inferred(fromPath: path) else {
            throw TokenVaultError(.usage, "cannot tell the format of \(path) from its name")
        }
        self.inputPath = inputPath
        reader = RecordReader(source: try InputSource(path: path, openPGP: openPGP), format: format, delimiter: UInt8(ascii: ","))
        if reader.hasHeader {
            header = try reader.readHeader()
            guard header.contains("row"), header.contains("status"), header.contains("token") else {
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
                    let values = Dictionary(reader.decoder.columns(slice, header: header) ?? [], uniquingKeysWith: { _, last in last })
                    if let file = values["file"], file != inputPath,
                        (file as NSString).lastPathComponent != (inputPath as NSString).lastPathComponent
                    {
                        continue
                    }
                    guard let row = values["row"].flatMap({ Int($0) }) else { continue }
                    buffered.append(
                        Row(
                            row: row, status: values["status"] ?? "", token: values["token"] ?? "",
                            group: values["brand"] ?? values["country"] ?? "", expiry: values["expiry"] ?? ""))
                }
            }
        }
        cursor += 1
        return buffered[cursor - 1]
    }
}
