/// Reads one JSON Lines record (RFC 8259 object) into `RowFields`, at byte level.
///
/// Flat string, number, boolean and null values feed fields; nested values are skipped (they
/// can only belong to ignored keys). Escapes and `\u` surrogate pairs are decoded; anything that
/// is not valid JSON makes the line one `MALFORMED_RECORD`.
struct JSONObjectParser {
    private let b: UnsafeBufferPointer<UInt8>
    private var i = 0
    private let mapping: FieldMapping
    private let fields: RowFields
    /// Keys seen that feed no field, for the one job-level warning.
    private(set) var unknownKeys: [String] = []
    private let collectUnknownKeys: Bool

    /// Parses `line`; returns why it cannot be read, or nil when it was read.
    static func parse(
        _ line: UnsafeBufferPointer<UInt8>, mapping: FieldMapping, into fields: RowFields,
        unknownKeys: inout [String]?
    ) -> MalformedReason? {
        var parser = JSONObjectParser(b: line, mapping: mapping, fields: fields, collectUnknownKeys: unknownKeys != nil)
        let result = parser.parseObjectLine()
        if unknownKeys != nil { unknownKeys = parser.unknownKeys }
        return result
    }

    private init(b: UnsafeBufferPointer<UInt8>, mapping: FieldMapping, fields: RowFields, collectUnknownKeys: Bool) {
        self.b = b
        self.mapping = mapping
        self.fields = fields
        self.collectUnknownKeys = collectUnknownKeys
    }

    private struct Invalid: Error {}

    private mutating func parseObjectLine() -> MalformedReason? {
        skipSpace()
        guard i < b.count else { return .invalidJSON }
        guard b[i] == UInt8(ascii: "{") else {
            do {
                try skipValue()
                skipSpace()
                return i == b.count ? .notAnObject : .invalidJSON
            } catch is TooDeep {
                return .nestedTooDeep
            } catch {
                return .invalidJSON
            }
        }
        do {
            i += 1
            skipSpace()
            if peek(UInt8(ascii: "}")) {
                i += 1
            } else {
                while true {
                    skipSpace()
                    guard peek(UInt8(ascii: "\"")) else { throw Invalid() }
                    let (keyStart, keyEnd, keyEscaped) = try scanString()
                    let keyBytes = keyEscaped ? try decodedString(keyStart, keyEnd) : Array(b[keyStart..<keyEnd])
                    let field = keyBytes.withUnsafeBufferPointer { mapping.field(forKey: $0) }
                    let slot =
                        field?.rawValue ?? keyBytes.withUnsafeBufferPointer { mapping.kept.index(forName: $0) }.map(RowFields.keptSlot)
                    if slot == nil && collectUnknownKeys {
                        unknownKeys.append(String(decoding: keyBytes, as: UTF8.self))
                    }
                    skipSpace()
                    guard peek(UInt8(ascii: ":")) else { throw Invalid() }
                    i += 1
                    skipSpace()
                    try parseValue(for: slot)
                    skipSpace()
                    if peek(UInt8(ascii: ",")) { i += 1; continue }
                    if peek(UInt8(ascii: "}")) { i += 1; break }
                    throw Invalid()
                }
            }
            skipSpace()
            return i == b.count ? nil : .invalidJSON
        } catch is TooDeep {
            return .nestedTooDeep
        } catch {
            return .invalidJSON
        }
    }

    /// Reads a value into `slot` (a field's or a kept column's), or checks and skips it.
    private mutating func parseValue(for slot: Int?) throws {
        guard i < b.count else { throw Invalid() }
        switch b[i] {
        case UInt8(ascii: "\""):
            let (s, e, escaped) = try scanString()
            guard let slot else { return }
            if !escaped {
                fields.set(slot: slot, UnsafeBufferPointer(rebasing: b[s..<e]))
            } else {
                let mark = fields.beginValue()
                try decode(s, e) { fields.append($0) }
                fields.endValue(slot: slot, from: mark)
            }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "t"), UInt8(ascii: "f"):
            let s = i
            try skipValue()
            if let slot { fields.set(slot: slot, UnsafeBufferPointer(rebasing: b[s..<i])) }
        default:
            try skipValue() // null, objects and arrays: no value for a field
        }
    }

    /// Deepest nesting of objects and arrays inside a line's object; deeper is `MALFORMED_RECORD`.
    /// Payment rows are flat: the limit only bounds hostile input.
    static let maxDepth = 64

    /// Thrown when a value nests deeper than `maxDepth`.
    private struct TooDeep: Error {}

    /// Skips one value of any type, checking its syntax.
    ///
    /// Iterative, not recursive: a line of 100,000 `[` must cost one malformed row, not the
    /// process's stack. The open containers are a bit stack (1 = object) of at most 64 levels.
    private mutating func skipValue() throws {
        var open: UInt64 = 0
        var depth = 0
        while true {
            guard i < b.count else { throw Invalid() }
            var complete = true
            switch b[i] {
            case UInt8(ascii: "\""):
                _ = try scanString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = b[i] == UInt8(ascii: "{")
                i += 1
                skipSpace()
                if peek(isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                } else {
                    guard depth < JSONObjectParser.maxDepth else { throw TooDeep() }
                    open = open << 1 | (isObject ? 1 : 0)
                    depth += 1
                    if isObject { try skipKey() }
                    complete = false
                }
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try skipNumber()
            }
            guard complete else { continue }
            // A value ended: close containers until one goes on with a next value.
            while true {
                if depth == 0 { return }
                skipSpace()
                let inObject = open & 1 == 1
                if peek(UInt8(ascii: ",")) {
                    i += 1
                    skipSpace()
                    if inObject { try skipKey() }
                    break
                }
                guard peek(inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { throw Invalid() }
                i += 1
                open >>= 1
                depth -= 1
            }
        }
    }

    /// Skips `"key" :` and the space after it.
    private mutating func skipKey() throws {
        skipSpace()
        guard peek(UInt8(ascii: "\"")) else { throw Invalid() }
        _ = try scanString()
        skipSpace()
        guard peek(UInt8(ascii: ":")) else { throw Invalid() }
        i += 1
        skipSpace()
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw Invalid() }
        for k in 0..<n where b[i + k] != word.utf8Start[k] { throw Invalid() }
        i += n
    }

    private mutating func skipNumber() throws {
        let s = i
        if peek(UInt8(ascii: "-")) { i += 1 }
        guard i < b.count, isDigit(b[i]) else { throw Invalid() }
        if b[i] == UInt8(ascii: "0") { i += 1 } else { while i < b.count && isDigit(b[i]) { i += 1 } }
        if peek(UInt8(ascii: ".")) {
            i += 1
            guard i < b.count, isDigit(b[i]) else { throw Invalid() }
            while i < b.count && isDigit(b[i]) { i += 1 }
        }
        if i < b.count && (b[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            if i < b.count && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
            guard i < b.count, isDigit(b[i]) else { throw Invalid() }
            while i < b.count && isDigit(b[i]) { i += 1 }
        }
        if i == s { throw Invalid() }
    }

    /// Scans a string starting at its opening quote; returns the inside's bounds and whether it
    /// holds escapes. Checks there are no raw control characters.
    private mutating func scanString() throws -> (Int, Int, Bool) {
        i += 1
        let s = i
        var escaped = false
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                // Escapes are checked even in values no field reads: the line must be valid JSON.
                if escaped { try decode(s, i - 1) { _ in } }
                return (s, i - 1, escaped)
            }
            if c < 0x20 { throw Invalid() }
            if c == UInt8(ascii: "\\") {
                escaped = true
                i += 2
                continue
            }
            i += 1
        }
        throw Invalid()
    }

    private func decodedString(_ s: Int, _ e: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        try decode(s, e) { out.append($0) }
        return out
    }

    /// Decodes the escapes of a string's inside, emitting UTF-8 bytes.
    private func decode(_ s: Int, _ e: Int, _ emit: (UInt8) -> Void) throws {
        var k = s
        while k < e {
            let c = b[k]
            guard c == UInt8(ascii: "\\") else { emit(c); k += 1; continue }
            guard k + 1 < e else { throw Invalid() }
            let esc = b[k + 1]
            k += 2
            switch esc {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): emit(esc)
            case UInt8(ascii: "b"): emit(0x08)
            case UInt8(ascii: "f"): emit(0x0C)
            case UInt8(ascii: "n"): emit(0x0A)
            case UInt8(ascii: "r"): emit(0x0D)
            case UInt8(ascii: "t"): emit(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(at: k, end: e)
                k += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard k + 6 <= e, b[k] == UInt8(ascii: "\\"), b[k + 1] == UInt8(ascii: "u") else { throw Invalid() }
                    let low = try hex4(at: k + 2, end: e)
                    guard low >= 0xDC00 && low <= 0xDFFF else { throw Invalid() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    k += 6
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw Invalid()
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw Invalid() }
                for unit in UTF8.encode(unicode)! { emit(unit) }
            default:
                throw Invalid()
            }
        }
    }

    private func hex4(at k: Int, end e: Int) throws -> UInt32 {
        guard k + 4 <= e else { throw Invalid() }
        var v: UInt32 = 0
        for j in k..<(k + 4) {
            let c = b[j]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw Invalid()
            }
            v = v << 4 | d
        }
        return v
    }

    private mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0D || b[i] == 0x0A { i += 1 }
    }

    private func peek(_ c: UInt8) -> Bool { i < b.count && b[i] == c }
}
