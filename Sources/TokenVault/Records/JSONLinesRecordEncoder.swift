/// Writes JSON Lines: one object per line, every value under its name; no header.
struct JSONLinesRecordEncoder: RecordEncoder {
    func header(_ columns: [String]) -> [UInt8] { [] }

    func beginRecord(_ out: inout [UInt8]) { out.append(UInt8(ascii: "{")) }

    func endRecord(_ out: inout [UInt8]) {
        out.append(UInt8(ascii: "}"))
        out.append(0x0A)
    }

    func beginField(_ name: UnsafeRawBufferPointer, first: Bool, _ out: inout [UInt8]) {
        if !first { out.append(UInt8(ascii: ",")) }
        JSONText.appendString(name, to: &out)
        out.append(UInt8(ascii: ":"))
    }

    func appendText(_ value: String, _ out: inout [UInt8]) { JSONText.appendString(value.utf8, to: &out) }

    func beginPlainText(_ out: inout [UInt8]) { out.append(UInt8(ascii: "\"")) }
    func endPlainText(_ out: inout [UInt8]) { out.append(UInt8(ascii: "\"")) }
    func appendNull(_ out: inout [UInt8]) { out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }

    func appendRecord(_ fields: [(name: String, value: String?)], _ out: inout [UInt8]) {
        beginRecord(&out)
        var first = true
        for (name, value) in fields {
            guard let value else { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONText.appendString(name.utf8, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONText.appendString(value.utf8, to: &out)
        }
        endRecord(&out)
    }

    /// The object is cut off after its second key.
    func appendUnreadableRecord(_ fields: [(name: String, value: String)], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, field) in fields.prefix(2).enumerated() {
            if index > 0 { out.append(contentsOf: [UInt8(ascii: ","), 0x20]) }
            JSONText.appendString(field.name.utf8, to: &out)
            out.append(contentsOf: [UInt8(ascii: ":"), 0x20])
            if index == 0 { JSONText.appendString(field.value.utf8, to: &out) }
        }
        out.append(0x0A)
    }
}
