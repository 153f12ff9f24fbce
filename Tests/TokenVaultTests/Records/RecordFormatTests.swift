import Foundation
import Testing

@testable import TokenVault

/// The format registry (one entry per format) and each format's encoder and decoder.
@Suite struct RecordFormatTests {
    /// Every record of `bytes`, as the format's decoder names its values.
    static func decodeAll(_ bytes: [UInt8], decoder: any RecordDecoder) -> [[String: String]] {
        var header: [String] = []
        var rows: [[String: String]] = []
        bytes.withUnsafeBufferPointer { all in
            var position = 0
            scanning: while true {
                switch decoder.scan(all, from: position, final: true, expectedFieldCount: header.count) {
                case .record(let start, let end, let next, let problem):
                    #expect(problem == nil)
                    let record = UnsafeBufferPointer(rebasing: all[start..<end])
                    if decoder.hasHeader && header.isEmpty {
                        header = decoder.headerNames(record)
                    } else if let columns = decoder.columns(record, header: header) {
                        rows.append(Dictionary(columns.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last }))
                    } else {
                        Issue.record("a record the encoder wrote cannot be read")
                    }
                    position = next
                case .blank(let next): position = next
                case .end, .needMore: break scanning
                }
            }
        }
        return rows
    }

    static let columns = ["reference", "card_number", "cardholder_name", "note"]
    static let records: [[String: String]] = [
        ["reference": "a,\"b\"", "card_number": "4111111111111111", "cardholder_name": "Zoë Łukasz", "note": "two\nlines\r\nand\ttab"],
        ["reference": "", "card_number": "5500 0000 0000 0004", "cardholder_name": "back\\slash", "note": "{\"json\": 1}"],
    ]

    @Test func theRegistryKnowsEveryFormatByNameAndFileName() throws {
        #expect(RecordFormat.allCases.map(\.rawValue) == ["csv", "jsonl"])
        #expect(RecordFormat.allCases == [.csv, .jsonl])
        for format in RecordFormat.allCases {
            #expect(RecordFormat(rawValue: format.rawValue) == format)
            #expect(format.fileExtension == "\(format.rawValue).gz")
            for name in [
                "in.\(format.rawValue)", "in.\(format.rawValue).gz", "IN.\(format.rawValue.uppercased()).GZ.gpg",
                "in.\(format.rawValue).asc",
            ] {
                #expect(RecordFormat.inferred(fromPath: name) == format, "\(name)")
            }
        }
        #expect(RecordFormat.inferred(fromPath: "cards.txt") == .csv)
        #expect(RecordFormat.inferred(fromPath: "cards.ndjson.gz") == .jsonl)
        #expect(RecordFormat.inferred(fromPath: "cards.json.pgp") == .jsonl)
        #expect(RecordFormat.inferred(fromPath: "cards.xml") == nil)
        #expect(RecordFormat(rawValue: "xml") == nil)
        #expect(RecordFormat(rawValue: "CSV") == nil)
        #expect(RecordFormat.namesForMessages == "csv or jsonl")
        // Codable as its name, refusing any other.
        #expect(try JSONEncoder().encode([RecordFormat.jsonl]) == Data(#"["jsonl"]"#.utf8))
        #expect(try JSONDecoder().decode([RecordFormat].self, from: Data(#"["csv"]"#.utf8)) == [.csv])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([RecordFormat].self, from: Data(#"["xml"]"#.utf8)) }
    }

    @Test(arguments: RecordFormat.allCases)
    func wholeRecordsRoundTrip(format: RecordFormat) {
        let encoder = format.encoder()
        var bytes = encoder.header(Self.columns)
        for record in Self.records { encoder.appendRecord(Self.columns.map { ($0, record[$0]) }, &bytes) }
        let decoded = Self.decodeAll(bytes, decoder: format.decoder())
        #expect(decoded == Self.records)
    }

    /// Field by field, as the result writer writes: text, plain text, null, and values it writes itself.
    @Test(arguments: RecordFormat.allCases)
    func fieldsRoundTrip(format: RecordFormat) {
        let encoder = format.encoder()
        var bytes = encoder.header(["reference", "status", "empty", "n"])
        for record in Self.records {
            encoder.beginRecord(&bytes)
            for (index, name) in ["reference", "status", "empty", "n"].enumerated() {
                Array(name.utf8).withUnsafeBytes { encoder.beginField($0, first: index == 0, &bytes) }
                switch name {
                case "reference": encoder.appendText(record["reference"]!, &bytes)
                case "status":
                    encoder.beginPlainText(&bytes)
                    bytes.append(contentsOf: "existing".utf8)
                    encoder.endPlainText(&bytes)
                case "empty": encoder.appendNull(&bytes)
                default: bytes.append(contentsOf: "42".utf8)
                }
            }
            encoder.endRecord(&bytes)
        }
        let decoded = Self.decodeAll(bytes, decoder: format.decoder())
        #expect(decoded == Self.records.map { ["reference": $0["reference"]!, "status": "existing", "empty": "", "n": "42"] })
    }

    /// A sample's unreadable record is one record that its own format's decoder refuses.
    @Test(arguments: RecordFormat.allCases)
    func anUnreadableRecordIsOneRecordThatCannotBeRead(format: RecordFormat) {
        let encoder = format.encoder()
        var bytes = encoder.header(Self.columns)
        encoder.appendUnreadableRecord(
            [("reference", "r1"), ("card_number", "4111 1111 1111 1111"), ("cardholder_name", "Broken Quote")], &bytes)
        encoder.appendRecord(Self.columns.map { ($0, Self.records[1][$0]) }, &bytes)
        let decoder = format.decoder()
        var problems: [MalformedReason?] = []
        var header: [String] = []
        bytes.withUnsafeBufferPointer { all in
            var position = 0
            while case .record(let start, let end, let next, let problem) = decoder.scan(
                all, from: position, final: true, expectedFieldCount: header.count)
            {
                let record = UnsafeBufferPointer(rebasing: all[start..<end])
                if decoder.hasHeader && header.isEmpty {
                    header = decoder.headerNames(record)
                } else {
                    problems.append(problem ?? (decoder.columns(record, header: header) == nil ? .invalidJSON : nil))
                }
                position = next
            }
        }
        #expect(problems.count == 2)
        #expect(problems.first! != nil)
        #expect(problems.last! == nil)
    }

    /// A decoder fills the validator's fields from its records, by header or by key.
    @Test(arguments: RecordFormat.allCases)
    func decodedFieldsReachTheValidator(format: RecordFormat) throws {
        let encoder = format.encoder()
        let columns = Self.columns + ["expiry_date"]
        var bytes = encoder.header(columns)
        encoder.appendRecord(columns.map { ($0, Self.records[1][$0] ?? "12/30") }, &bytes)
        let decoder = format.decoder()
        let mapping = try FieldMapping(kind: .card, overrides: [])
        let fields = RowFields()
        var header: [String] = []
        var filled = false
        try bytes.withUnsafeBufferPointer { all in
            var position = 0
            while case .record(let start, let end, let next, _) = decoder.scan(
                all, from: position, final: true, expectedFieldCount: header.count)
            {
                let record = UnsafeBufferPointer(rebasing: all[start..<end])
                if decoder.hasHeader && header.isEmpty {
                    header = decoder.headerNames(record)
                } else {
                    let layout = decoder.hasHeader ? try mapping.layout(forHeader: header, path: "x") : nil
                    var unknown: [String]? = []
                    #expect(decoder.fields(record, layout: layout, mapping: mapping, into: fields, unknownKeys: &unknown) == nil)
                    filled = true
                }
                position = next
            }
        }
        #expect(filled)
        #expect(fields.string(.cardNumber) == "5500 0000 0000 0004")
        #expect(fields.string(.cardholderName) == "back\\slash")
        #expect(fields.string(.expiryDate) == "12/30")
        #expect(!fields.has(.reference))
    }
}
