import Foundation

/// Reads JSON Lines: one JSON object per line, naming its own fields; blank lines are skipped.
struct JSONLinesRecordDecoder: RecordDecoder {
    var hasHeader: Bool { false }

    func scan(_ b: UnsafeBufferPointer<UInt8>, from s: Int, final: Bool, expectedFieldCount: Int) -> RecordScan {
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

    func headerNames(_ record: UnsafeBufferPointer<UInt8>) -> [String] { [] }

    func fields(
        _ record: UnsafeBufferPointer<UInt8>, layout: ColumnLayout?, mapping: FieldMapping,
        into fields: RowFields, unknownKeys: inout [String]?
    ) -> MalformedReason? {
        JSONObjectParser.parse(record, mapping: mapping, into: fields, unknownKeys: &unknownKeys)
    }

    /// Keys sorted; numbers and booleans as their text, `null` as empty. Not a hot path.
    func columns(_ record: UnsafeBufferPointer<UInt8>, header: [String]) -> [(name: String, value: String)]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(record)) as? [String: Any] else { return nil }
        return object.keys.sorted().map { key in
            let value = object[key]!
            return (key, value as? String ?? (value as? NSNumber)?.stringValue ?? (value is NSNull ? "" : "\(value)"))
        }
    }
}
