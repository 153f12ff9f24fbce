/// Writes result and error lines (SPEC §5) for a resolved batch, as bytes.
///
/// Hand-written rather than through `JSONEncoder` or string building: it runs once per row,
/// appending straight into one buffer per batch.
struct ResultFormatter: Sendable {
    let kind: InstrumentKind
    let format: RecordFormat
    /// Writes `format`'s records.
    private let encoder: any RecordEncoder
    /// The input paths when several inputs were given: then a `file` column comes first.
    let inputPaths: [String]?
    /// True under `--on-existing update`: an `updated` column follows the standard ones.
    let updatedColumn: Bool
    /// Input columns copied after the standard columns (`--keep-column`).
    let kept: KeptColumns
    /// Their names as bytes, made once.
    private let keptKeys: [[UInt8]]

    init(kind: InstrumentKind, format: RecordFormat, inputPaths: [String]?, updatedColumn: Bool = false, kept: KeptColumns = .none) {
        self.kind = kind
        self.format = format
        encoder = format.encoder()
        self.inputPaths = inputPaths
        self.updatedColumn = updatedColumn
        self.kept = kept
        keptKeys = kept.names.map { Array($0.utf8) }
    }

    var resultColumns: [String] {
        let tail =
            kind == .card
            ? ["alias", "brand", "last4", "expiry", "has_network_token"]
            : ["alias", "country", "bank_code", "last4"]
        return (inputPaths == nil ? [] : ["file"]) + ["row", "reference", "status", "token", "is_new_token"] + tail
            + (updatedColumn ? ["updated"] : []) + kept.names
    }

    var errorColumns: [String] {
        (inputPaths == nil ? [] : ["file"]) + ["row", "reference", "severity", "code", "property_name", "message"]
    }

    /// The header line (empty for a format whose records name their fields).
    func header(_ columns: [String]) -> [UInt8] { encoder.header(columns) }

    /// The result and error lines of `batch`.
    func format(_ batch: PreparedBatch) -> (results: [UInt8], errors: [UInt8]) {
        lines(batch, encoder)
    }

    /// `format`, specialised for the encoder: one row at a time, no dynamic call per field.
    private func lines<Encoder: RecordEncoder>(_ batch: PreparedBatch, _ encoder: Encoder) -> (results: [UInt8], errors: [UInt8]) {
        var results = LineBuffer(encoder: encoder)
        results.bytes.reserveCapacity(batch.rows.count * 130)
        var errors = LineBuffer(encoder: encoder)
        let file = inputPaths?[batch.inputIndex]
        for (row, resolution) in zip(batch.rows, batch.resolutions) {
            results.begin()
            if let file { results.text("file", file) }
            results.number("row", row.row)
            results.text("reference", row.reference ?? "")
            results.raw("status", resolution.status.rawValue)
            let display = resolution.status == .rejected ? nil : row.instrument?.display
            // What the vault holds for an existing instrument, else the row's own data (SPEC §10).
            let shown = resolution.shown
            if let token = resolution.token, display != nil {
                results.token("token", token)
            } else {
                // Rejected rows, and a dry run's predictions of instruments not yet in the vault.
                results.text("token", "")
            }
            if display != nil { results.bool("is_new_token", resolution.status == .new) } else { results.null("is_new_token") }
            results.text("alias", shown?.alias ?? display?.alias ?? "")
            if kind == .card {
                results.text("brand", display?.brandOrCountry ?? "")
                results.text("last4", display?.last4 ?? "")
                if let expiry = shown != nil ? shown?.expiry : display?.expiry {
                    results.expiry("expiry", expiry)
                } else {
                    results.text("expiry", "")
                }
                // Only whether the card carries a network token, never the token (SPEC §11).
                if let display {
                    results.bool("has_network_token", shown?.hasNetworkToken ?? display.hasNetworkToken)
                } else {
                    results.null("has_network_token")
                }
            } else {
                results.text("country", display?.brandOrCountry ?? "")
                results.text("bank_code", display?.bankCode ?? "")
                results.text("last4", display?.last4 ?? "")
            }
            if updatedColumn { if display != nil { results.bool("updated", resolution.updated) } else { results.null("updated") } }
            for (key, value) in zip(keptKeys, row.kept) { results.text(key: key, value) }
            results.end()
            for issue in row.issues {
                errors.begin()
                if let file { errors.text("file", file) }
                errors.number("row", row.row)
                errors.text("reference", row.reference ?? "")
                errors.raw("severity", issue.severity.rawValue)
                errors.raw("code", issue.code.rawValue)
                errors.text("property_name", issue.property)
                errors.text("message", issue.message)
                errors.end()
            }
        }
        return (results.bytes, errors.bytes)
    }
}

/// Appends records, field by field, to one buffer, in the encoder's format.
private struct LineBuffer<Encoder: RecordEncoder> {
    let encoder: Encoder
    var bytes: [UInt8] = []
    private var first = true

    init(encoder: Encoder) { self.encoder = encoder }

    mutating func begin() {
        first = true
        encoder.beginRecord(&bytes)
    }

    mutating func end() { encoder.endRecord(&bytes) }

    private mutating func key(_ name: StaticString) {
        encoder.beginField(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), first: first, &bytes)
        first = false
    }

    /// A key known only at run time (a kept column's name).
    private mutating func key(_ name: [UInt8]) {
        name.withUnsafeBytes { encoder.beginField($0, first: first, &bytes) }
        first = false
    }

    mutating func text(key name: [UInt8], _ value: String) {
        key(name)
        encoder.appendText(value, &bytes)
    }

    mutating func text(_ name: StaticString, _ value: String) {
        key(name)
        encoder.appendText(value, &bytes)
    }

    /// A value that needs no quoting or escaping (status, codes).
    mutating func raw(_ name: StaticString, _ value: String) {
        key(name)
        encoder.beginPlainText(&bytes)
        bytes.append(contentsOf: value.utf8)
        encoder.endPlainText(&bytes)
    }

    mutating func token(_ name: StaticString, _ token: Token) {
        key(name)
        encoder.beginPlainText(&bytes)
        token.appendUTF8(to: &bytes)
        encoder.endPlainText(&bytes)
    }

    /// `MM/YY`.
    mutating func expiry(_ name: StaticString, _ value: YearMonth) {
        key(name)
        encoder.beginPlainText(&bytes)
        let y = value.year % 100
        bytes.append(contentsOf: [
            UInt8(0x30 + value.month / 10), UInt8(0x30 + value.month % 10), UInt8(ascii: "/"),
            UInt8(0x30 + y / 10), UInt8(0x30 + y % 10),
        ])
        encoder.endPlainText(&bytes)
    }

    /// Digits, the same in every format.
    mutating func number(_ name: StaticString, _ value: Int) {
        key(name)
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(0x30 + v % 10)
                v /= 10
                count += 1
            } while v > 0 && count < 20
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// `true`/`false`, the same in every format.
    mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: value ? [0x74, 0x72, 0x75, 0x65] : [0x66, 0x61, 0x6C, 0x73, 0x65])
    }

    /// No value.
    mutating func null(_ name: StaticString) {
        key(name)
        encoder.appendNull(&bytes)
    }
}
