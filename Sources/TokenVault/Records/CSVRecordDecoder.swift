/// Reads CSV (RFC 4180): a header row names the columns; quoted fields may hold delimiters,
/// doubled quotes and line breaks.
struct CSVRecordDecoder: RecordDecoder {
    let delimiter: UInt8

    var hasHeader: Bool { true }

    /// Finds where the CSV record at `s` ends. A broken record that spans lines is cut back to
    /// its first line, so one stray quote costs one row, not the rest of the file.
    func scan(_ b: UnsafeBufferPointer<UInt8>, from s: Int, final: Bool, expectedFieldCount: Int) -> RecordScan {
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

    private func firstLine(_ b: UnsafeBufferPointer<UInt8>, from s: Int, final: Bool, problem: MalformedReason) -> RecordScan {
        var i = s
        while i < b.count && b[i] != 0x0A { i += 1 }
        if i == b.count && !final { return .needMore }
        var e = i
        if e > s && b[e - 1] == 0x0D { e -= 1 }
        return .record(start: s, end: e, next: min(i + 1, b.count), problem: problem)
    }

    func headerNames(_ record: UnsafeBufferPointer<UInt8>) -> [String] {
        CSVFieldSplitter.splitAll(record, delimiter: delimiter).map { $0.trimmingASCIIWhitespace() }
    }

    func fields(
        _ record: UnsafeBufferPointer<UInt8>, layout: ColumnLayout?, mapping: FieldMapping,
        into fields: RowFields, unknownKeys: inout [String]?
    ) -> MalformedReason? {
        CSVFieldSplitter.split(record, delimiter: delimiter, layout: layout!, into: fields)
        return nil
    }

    func columns(_ record: UnsafeBufferPointer<UInt8>, header: [String]) -> [(name: String, value: String)]? {
        zip(header, CSVFieldSplitter.splitAll(record, delimiter: delimiter)).map { ($0, $1) }
    }
}
