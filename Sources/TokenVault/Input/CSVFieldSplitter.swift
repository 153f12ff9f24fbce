/// Splits one CSV record (already known to be well formed) into fields, RFC 4180 unquoting.
enum CSVFieldSplitter {
    /// Every field as a string: for the header row.
    static func splitAll(_ record: UnsafeBufferPointer<UInt8>, delimiter: UInt8) -> [String] {
        var out: [String] = []
        forEachField(record, delimiter: delimiter) { _, raw, quoted in
            out.append(String(decoding: quoted ? unquote(raw) : Array(raw), as: UTF8.self))
        }
        return out
    }

    /// Copies the fields the layout maps into `fields`.
    static func split(
        _ record: UnsafeBufferPointer<UInt8>, delimiter: UInt8, layout: ColumnLayout, into fields: RowFields
    ) {
        let map = layout.fields
        let kept = layout.kept
        forEachField(record, delimiter: delimiter) { column, raw, quoted in
            guard column < map.count else { return }
            let slot: Int
            if let field = map[column] {
                slot = field.rawValue
            } else if column < kept.count, kept[column] >= 0 {
                slot = RowFields.keptSlot(kept[column])
            } else {
                return
            }
            if !quoted {
                fields.set(slot: slot, raw)
                return
            }
            let mark = fields.beginValue()
            var i = 0
            while i < raw.count {
                let c = raw[i]
                fields.append(c)
                i += (c == UInt8(ascii: "\"") && i + 1 < raw.count && raw[i + 1] == c) ? 2 : 1
            }
            fields.endValue(slot: slot, from: mark)
        }
    }

    /// Calls `body` with each field's column, its bytes (inside the quotes when quoted) and
    /// whether it was quoted.
    private static func forEachField(
        _ b: UnsafeBufferPointer<UInt8>, delimiter: UInt8,
        _ body: (Int, UnsafeBufferPointer<UInt8>, Bool) -> Void
    ) {
        let quote = UInt8(ascii: "\"")
        let n = b.count
        var i = 0
        var column = 0
        while true {
            if i < n && b[i] == quote {
                let valueStart = i + 1
                var j = valueStart
                while j < n {
                    if b[j] == quote {
                        if j + 1 < n && b[j + 1] == quote { j += 2; continue }
                        break
                    }
                    j += 1
                }
                body(column, UnsafeBufferPointer(rebasing: b[valueStart..<min(j, n)]), true)
                i = j + 1
                while i < n && b[i] != delimiter { i += 1 }
            } else {
                let valueStart = i
                while i < n && b[i] != delimiter { i += 1 }
                body(column, UnsafeBufferPointer(rebasing: b[valueStart..<i]), false)
            }
            if i >= n { return }
            i += 1
            column += 1
        }
    }

    private static func unquote(_ raw: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            out.append(raw[i])
            i += (raw[i] == UInt8(ascii: "\"") && i + 1 < raw.count && raw[i + 1] == raw[i]) ? 2 : 1
        }
        return out
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
