/// Cuts one input's decoded bytes into batches of whole records, on the reader thread.
///
/// It finds record boundaries only, through the format's decoder (quotes decide where a CSV
/// record ends); workers split fields.
/// Memory stays flat: a fixed sliding buffer, and one batch's bytes copied out at a time.
final class RecordReader {
    static let maxRecordBytes = 4 << 20

    let source: InputSource
    /// The record format's reader: where records end, and (for workers) their fields.
    let decoder: any RecordDecoder
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var endOfInput = false
    /// Set when decoding failed: what is decoded before the damage is delivered, then this is thrown.
    private var damage: TokenVaultError?
    private var nextRow = 1
    private var expectedFieldCount = 0
    private var strippedBOM = false

    /// - Parameter delimiter: the field delimiter, for formats that have one.
    init(source: InputSource, format: RecordFormat, delimiter: UInt8) {
        self.source = source
        decoder = format.decoder(delimiter: delimiter)
        buffer = [UInt8](repeating: 0, count: RecordReader.maxRecordBytes + 256 * 1024)
    }

    /// True when the format's first record is a header (`readHeader` reads it).
    var hasHeader: Bool { decoder.hasHeader }

    /// Reads the header row (the first non-blank record) of a format that has one.
    ///
    /// - Returns: the column names.
    /// - Throws: `inputData` when the header cannot be read, or when there is none: an empty input
    ///   is what a failed upstream step (`gpg -d` into a pipe) leaves, never "no rows" (SPEC §10).
    func readHeader() throws -> [String] {
        precondition(decoder.hasHeader)
        while true {
            switch try nextScan() {
            case .none:
                // Damage before the header is a broken file, not an empty one.
                if let damage { self.damage = nil; throw damage }
                throw emptyInput()
            case .some(let (recordStart, recordEnd, problem)):
                if let problem, problem != .wrongFieldCount {
                    throw TokenVaultError(.inputData, "\(source.path): the header row cannot be read: \(problem.message)")
                }
                let names = buffer.withUnsafeBufferPointer { all in
                    decoder.headerNames(UnsafeBufferPointer(rebasing: all[recordStart..<recordEnd]))
                }
                expectedFieldCount = names.count
                return names
            }
        }
    }

    /// The next batch of up to `maxRecords` records, or nil at the end of the input.
    ///
    /// - Throws: the damage error once every record before the damage has been delivered.
    func nextBatch(maxRecords: Int, sequence: Int, inputIndex: Int) throws -> RawBatch? {
        var records: [RawRecord] = []
        records.reserveCapacity(maxRecords)
        var batchStart = -1
        var lastEnd = 0
        while records.count < maxRecords {
            // Never let a refill move bytes out from under a batch being collected: cut it first.
            guard let (recordStart, recordEnd, problem) = try nextScan(keepingFrom: batchStart) else { break }
            if batchStart < 0 { batchStart = recordStart }
            records.append(
                RawRecord(
                    start: Int32(recordStart - batchStart), end: Int32(recordEnd - batchStart), problem: problem))
            lastEnd = recordEnd
        }
        if records.isEmpty {
            if let damage { self.damage = nil; throw damage }
            // Without a header (JSON Lines), an input without a single record is an empty one.
            if !decoder.hasHeader && nextRow == 1 { throw emptyInput() }
            return nil
        }
        let bytes = Array(buffer[batchStart..<lastEnd])
        let batch = RawBatch(sequence: sequence, inputIndex: inputIndex, firstRow: nextRow, bytes: bytes, records: records)
        nextRow += records.count
        return batch
    }

    /// Counts the records left without copying them out: the pre-pass of `--expect-rows`.
    ///
    /// - Throws: the damage error when the input cannot be read to its end.
    func countRecords() throws -> Int {
        var count = 0
        while try nextScan() != nil { count += 1 }
        if let damage { self.damage = nil; throw damage }
        return count
    }

    private func emptyInput() -> TokenVaultError {
        let what = decoder.hasHeader ? "no header row" : "no record"
        return TokenVaultError(
            .inputData, "\(source.path) is empty (\(source.rawByteCount) bytes, \(what)): refusing to report an empty run as done")
    }

    // MARK: - Scanning

    /// Finds the next record, refilling the buffer as needed.
    private func nextScan(keepingFrom keep: Int = -1) throws -> (Int, Int, MalformedReason?)? {
        while true {
            if !strippedBOM {
                if end - start < 3 && !endOfInput { try refill(); continue }
                strippedBOM = true
                if end - start >= 3 && buffer[start] == 0xEF && buffer[start + 1] == 0xBB && buffer[start + 2] == 0xBF {
                    start += 3
                }
            }
            let final = endOfInput && damage == nil
            let scan = buffer.withUnsafeBufferPointer { all in
                decoder.scan(
                    UnsafeBufferPointer(rebasing: all[0..<end]), from: start, final: final,
                    expectedFieldCount: expectedFieldCount)
            }
            switch scan {
            case .record(let s, let e, let next, let problem):
                start = next
                var problem = problem
                if problem == nil && !isValidUTF8(s, e) { problem = .invalidUTF8 }
                return (s, e, problem)
            case .blank(let next):
                start = next
            case .end:
                return nil
            case .needMore:
                if endOfInput { return nil } // damaged: the torn last record is dropped
                if keep >= 0 { return nil } // the caller cuts its batch first
                try refill()
            }
        }
    }

    private func refill() throws {
        if start > 0 {
            let live = end - start
            if live > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    raw.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: live)
                }
            }
            start = 0
            end = live
        }
        guard end < buffer.count else {
            throw TokenVaultError(
                .inputData,
                "\(source.path): a record longer than \(RecordReader.maxRecordBytes >> 20) MiB near row \(nextRow): not a file of payment instruments"
            )
        }
        do {
            let n = try buffer.withUnsafeMutableBytes { raw in
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[end...]))
            }
            if n == 0 { endOfInput = true } else { end += n }
        } catch let error as TokenVaultError {
            damage = TokenVaultError(error.code, "\(source.path): \(error.message)")
            endOfInput = true
        }
    }

    private func isValidUTF8(_ s: Int, _ e: Int) -> Bool {
        buffer.withUnsafeBufferPointer { all in
            let slice = UnsafeBufferPointer(rebasing: all[s..<e])
            for byte in slice where byte >= 0x80 {
                return UTF8Validation.isValid(slice)
            }
            return true
        }
    }
}
