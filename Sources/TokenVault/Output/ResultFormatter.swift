/// Writes result and error lines (SPEC §5) for a resolved batch, as bytes.
///
/// Hand-written rather than through `JSONEncoder`/`String` building: this runs once per row.
struct ResultFormatter: Sendable {
    let kind: InstrumentKind
    let format: OutputFormat
    /// The input paths when several inputs were given: then a `file` column comes first.
    let inputPaths: [String]?

    var resultColumns: [String] {
        let tail = kind == .card
            ? ["alias", "brand", "last4", "expiry"]
            : ["alias", "country", "bank_code", "last4"]
        return (inputPaths == nil ? [] : ["file"]) + ["row", "reference", "status", "token", "is_new_token"] + tail
    }

    var errorColumns: [String] {
        (inputPaths == nil ? [] : ["file"]) + ["row", "reference", "severity", "code", "property_name", "message"]
    }

    /// The CSV header line (empty for JSON Lines).
    func header(_ columns: [String]) -> [UInt8] {
        format == .csv ? Array((columns.joined(separator: ",") + "\n").utf8) : []
    }

    /// The result and error lines of `batch`.
    func format(_ batch: PreparedBatch) -> (results: [UInt8], errors: [UInt8]) {
        var results: [UInt8] = []
        results.reserveCapacity(batch.rows.count * 120)
        var errors: [UInt8] = []
        let file = inputPaths?[batch.inputIndex]
        for row in batch.rows {
            var line = LineWriter(format: format)
            if let file { line.text("file", file) }
            line.number("row", row.row)
            line.text("reference", row.reference ?? "")
            line.raw("status", row.status.rawValue)
            if let token = row.token, row.status != .rejected {
                line.token("token", token)
                line.bool("is_new_token", row.status == .new)
            } else {
                line.text("token", "")
                line.nullableBool("is_new_token", nil)
            }
            let display = row.status == .rejected ? nil : row.instrument?.display
            line.text("alias", row.storedAlias ?? display?.alias ?? "")
            if kind == .card {
                line.text("brand", display?.brandOrCountry ?? "")
                line.text("last4", display?.last4 ?? "")
                line.text("expiry", display?.expiry?.shortForm ?? "")
            } else {
                line.text("country", display?.brandOrCountry ?? "")
                line.text("bank_code", display?.bankCode ?? "")
                line.text("last4", display?.last4 ?? "")
            }
            line.end(into: &results)
            for issue in row.issues {
                var line = LineWriter(format: format)
                if let file { line.text("file", file) }
                line.number("row", row.row)
                line.text("reference", row.reference ?? "")
                line.raw("severity", issue.severity.rawValue)
                line.raw("code", issue.code.rawValue)
                line.text("property_name", issue.property)
                line.text("message", issue.message)
                line.end(into: &errors)
            }
        }
        return (results, errors)
    }
}

/// Builds one CSV or JSON Lines line, field by field.
private struct LineWriter {
    let format: OutputFormat
    var bytes: [UInt8] = []
    var first = true

    init(format: OutputFormat) {
        self.format = format
        bytes.reserveCapacity(160)
        if format == .jsonl { bytes.append(UInt8(ascii: "{")) }
    }

    private mutating func key(_ name: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        guard format == .jsonl else { return }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    mutating func text(_ name: StaticString, _ value: String) {
        key(name)
        if format == .jsonl { JSONText.appendString(value.utf8, to: &bytes); return }
        let utf8 = value.utf8
        let needsQuotes = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        if !needsQuotes { bytes.append(contentsOf: utf8); return }
        bytes.append(UInt8(ascii: "\""))
        for b in utf8 {
            if b == UInt8(ascii: "\"") { bytes.append(b) }
            bytes.append(b)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A value known to need no quoting or escaping (status, codes).
    mutating func raw(_ name: StaticString, _ value: String) {
        key(name)
        if format == .jsonl { bytes.append(UInt8(ascii: "\"")) }
        bytes.append(contentsOf: value.utf8)
        if format == .jsonl { bytes.append(UInt8(ascii: "\"")) }
    }

    mutating func token(_ name: StaticString, _ token: Token) {
        key(name)
        if format == .jsonl { bytes.append(UInt8(ascii: "\"")) }
        token.appendUTF8(to: &bytes)
        if format == .jsonl { bytes.append(UInt8(ascii: "\"")) }
    }

    mutating func number(_ name: StaticString, _ value: Int) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func nullableBool(_ name: StaticString, _ value: Bool?) {
        if let value { bool(name, value); return }
        key(name)
        if format == .jsonl { bytes.append(contentsOf: "null".utf8) }
    }

    mutating func end(into out: inout [UInt8]) {
        if format == .jsonl { bytes.append(UInt8(ascii: "}")) }
        bytes.append(0x0A)
        out.append(contentsOf: bytes)
    }
}
