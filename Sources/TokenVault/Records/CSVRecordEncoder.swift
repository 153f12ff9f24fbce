/// Writes CSV (RFC 4180): a header line, then fields by position, quoted when they need it.
struct CSVRecordEncoder: RecordEncoder {
    func header(_ columns: [String]) -> [UInt8] { Array(CSVText.line(columns).utf8) }

    func beginRecord(_ out: inout [UInt8]) {}

    func endRecord(_ out: inout [UInt8]) { out.append(0x0A) }

    func beginField(_ name: UnsafeRawBufferPointer, first: Bool, _ out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
    }

    func appendText(_ value: String, _ out: inout [UInt8]) {
        let utf8 = value.utf8
        let needsQuotes = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        if !needsQuotes { out.append(contentsOf: utf8); return }
        out.append(UInt8(ascii: "\""))
        for b in utf8 {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }

    func beginPlainText(_ out: inout [UInt8]) {}
    func endPlainText(_ out: inout [UInt8]) {}
    func appendNull(_ out: inout [UInt8]) {}

    func appendRecord(_ fields: [(name: String, value: String?)], _ out: inout [UInt8]) {
        out.append(contentsOf: CSVText.line(fields.map { $0.value ?? "" }).utf8)
    }

    /// The second field's quote is opened and never closed.
    func appendUnreadableRecord(_ fields: [(name: String, value: String)], _ out: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if index == 1 { out.append(UInt8(ascii: "\"")) }
            out.append(contentsOf: field.value.utf8)
        }
        out.append(0x0A)
    }
}
