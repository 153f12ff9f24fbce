/// Cuts one input's decoded bytes into batches of whole records, on the reader thread.
///
/// It finds record boundaries only (quotes decide where a CSV record ends); workers split fields.
/// Memory stays flat: a fixed sliding buffer, and one batch's bytes copied out at a time.
final class RecordReader {
    static let maxRecordBytes = 4 << 20

    let source: InputSource
    let format: InputFormat
    let delimiter: UInt8
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var endOfInput = false
    /// Set when decoding failed: what is decoded before the damage is delivered, then this is thrown.
    private var damage: TokenVaultError?
    private var nextRow = 1
    private var expectedFieldCount = 0
    private var strippedBOM = false

    init(source: InputSource, format: InputFormat, delimiter: UInt8) {
        self.source = source
        self.format = format
        self.delimiter = delimiter
        buffer = [UInt8](repeating: 0, count: RecordReader.maxRecordBytes + 256 * 1024)
    }

    /// Reads the CSV header row (the first non-blank record).
    ///
    /// - Returns: the column names.
    /// - Throws: `inputData` when the header cannot be read, or when there is none: an empty input
    ///   is what a failed upstream step (`gpg -d` into a pipe) leaves, never "no rows" (SPEC §10).
    func readHeader() throws -> [String] {
        precondition(format == .csv)
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
                    CSVFieldSplitter.splitAll(UnsafeBufferPointer(rebasing: all[recordStart..<recordEnd]), delimiter: delimiter)
                }
                expectedFieldCount = names.count
                return names.map { $0.trimmingASCIIWhitespace() }
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
            records.append(RawRecord(
                start: Int32(recordStart - batchStart), end: Int32(recordEnd - batchStart), problem: problem))
            lastEnd = recordEnd
        }
        if records.isEmpty {
            if let damage { self.damage = nil; throw damage }
            // JSON Lines has no header: an input without a single record is an empty one.
            if format == .jsonl && nextRow == 1 { throw emptyInput() }
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
        let what = format == .csv ? "no header row" : "no record"
        return TokenVaultError(.inputData, "\(source.path) is empty (\(source.rawByteCount) bytes, \(what)): refusing to report an empty run as done")
    }

    // MARK: - Scanning

    private enum Scan {
        case record(start: Int, end: Int, next: Int, problem: MalformedReason?)
        case blank(next: Int)
        case needMore
        case end
    }

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
                scanRecord(UnsafeBufferPointer(rebasing: all[0..<end]), from: start, final: final)
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
            throw TokenVaultError(.inputData, "\(source.path): a record longer than \(RecordReader.maxRecordBytes >> 20) MiB near row \(nextRow): not a file of payment instruments")
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

    private func scanRecord(_ b: UnsafeBufferPointer<UInt8>, from s: Int, final: Bool) -> Scan {
        switch format {
        case .csv: scanCSV(b, from: s, final: final)
        case .jsonl: scanLine(b, from: s, final: final)
        }
    }

    private func scanLine(_ b: UnsafeBufferPointer<UInt8>, from s: Int, final: Bool) -> Scan {
        let n = b.count
        if s == n { return final ? .end : .needMore }
        var i = s
        var blank = true
        while i < n && b[i] != 0x0A {
            if blank && b[i] != 0x20 && b[i] != 0x09 && b[i] != 0x0D { blank = false }
            i += 1
        }
        if i == n && !final { return .needMore }
        let next = i < n ? i + 1 : n
        if blank { return .blank(next: next) }
        var e = i
        if e > s && b[e - 1] == 0x0D { e -= 1 }
        return .record(start: s, end: e, next: next, problem: nil)
    }

    /// Finds where the CSV record at `s` ends (RFC 4180: quoted fields may hold delimiters,
    /// doubled quotes and line breaks). A broken record that spans lines is cut back to its
    /// first line, so one stray quote costs one row, not the rest of the file.
    private func scanCSV(_ b: UnsafeBufferPointer<UInt8>, from s: Int, final: Bool) -> Scan {
        let n = b.count
        let quote = UInt8(ascii: "\""), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        if s == n { return final ? .end : .needMore }
        if b[s] == lf { return .blank(next: s + 1) }
        if b[s] == cr {
            if s + 1 == n { return final ? .blank(next: n) : .needMore }
            if b[s + 1] == lf { return .blank(next: s + 2) }
        }
        var i = s
        var fields = 1
        var problem: MalformedReason?
        var spansLines = false
        var recordEnd = n
        var next = n
        fieldLoop: while true {
            if i < n && b[i] == quote {
                i += 1
                while true {
                    while i < n && b[i] != quote {
                        if b[i] == lf { spansLines = true }
                        i += 1
                    }
                    if i == n {
                        return final ? firstLine(b, from: s, final: final, problem: .unterminatedQuote) : .needMore
                    }
                    if i + 1 == n && !final { return .needMore }
                    if i + 1 < n && b[i + 1] == quote { i += 2; continue }
                    i += 1
                    break
                }
                if i < n && b[i] != delimiter && b[i] != lf {
                    if b[i] == cr && i + 1 < n && b[i + 1] == lf {
                        // CRLF after a closing quote: fine.
                    } else if b[i] == cr && i + 1 == n && !final {
                        return .needMore
                    } else if !(b[i] == cr && i + 1 == n) {
                        problem = problem ?? .textAfterClosingQuote
                    }
                }
            }
            while i < n && b[i] != delimiter && b[i] != lf { i += 1 }
            if i == n {
                if !final { return .needMore }
                recordEnd = n
                next = n
                break fieldLoop
            }
            if b[i] == delimiter {
                fields += 1
                i += 1
                continue fieldLoop
            }
            recordEnd = i
            next = i + 1
            break fieldLoop
        }
        if recordEnd > s && b[recordEnd - 1] == cr { recordEnd -= 1 }
        if problem == nil && expectedFieldCount > 0 && fields != expectedFieldCount { problem = .wrongFieldCount }
        if problem != nil && spansLines {
            return firstLine(b, from: s, final: final, problem: .unterminatedQuote)
        }
        return .record(start: s, end: recordEnd, next: next, problem: problem)
    }

    private func firstLine(_ b: UnsafeBufferPointer<UInt8>, from s: Int, final: Bool, problem: MalformedReason) -> Scan {
        var i = s
        while i < b.count && b[i] != 0x0A { i += 1 }
        if i == b.count && !final { return .needMore }
        var e = i
        if e > s && b[e - 1] == 0x0D { e -= 1 }
        return .record(start: s, end: e, next: min(i + 1, b.count), problem: problem)
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
