import Foundation
import Testing

@testable import TokenVault

/// Reads a whole file through the reader and the worker-side splitters, as the pipeline does.
private func readRows(
    _ path: String, format: RecordFormat, kind: InstrumentKind = .card, delimiter: UInt8 = 0x2C,
    map: [(String, String)] = []
) throws -> [(row: Int, values: [String: String], problem: MalformedReason?)] {
    let reader = RecordReader(source: try InputSource(path: path), format: format, delimiter: delimiter)
    let mapping = try FieldMapping(kind: kind, overrides: map)
    var layout: ColumnLayout?
    if format == .csv {
        let header = try reader.readHeader()
        layout = try mapping.layout(forHeader: header, path: path)
    }
    var out: [(Int, [String: String], MalformedReason?)] = []
    var sequence = 0
    while let batch = try reader.nextBatch(maxRecords: 3, sequence: sequence, inputIndex: 0) {
        sequence += 1
        for (i, record) in batch.records.enumerated() {
            var problem = record.problem
            let fields = RowFields()
            if problem == nil {
                batch.bytes.withUnsafeBufferPointer { bytes in
                    let slice = UnsafeBufferPointer(rebasing: bytes[Int(record.start)..<Int(record.end)])
                    if format == .csv {
                        CSVFieldSplitter.split(slice, delimiter: delimiter, layout: layout!, into: fields)
                    } else {
                        var unknown: [String]?
                        problem = JSONObjectParser.parse(slice, mapping: mapping, into: fields, unknownKeys: &unknown)
                    }
                }
            }
            var values: [String: String] = [:]
            for field in Field.allCases { if let v = fields.string(field) { values[field.name] = v } }
            out.append((batch.firstRow + i, values, problem))
        }
    }
    return out
}

@Suite struct CSVReadingTests {
    @Test func quotedFieldsWithDelimitersQuotesAndNewlines() throws {
        let ws = try TestWorkspace()
        let path = try ws.writeGzip(
            "a.csv.gz",
            """
            reference,card_number,expiry_date,cardholder_name\r
            r1,4111111111111111,12/30,"O'Brien, Mary"\r
            r2,4111111111111111,12/30,"Jean ""Johnny"" Dupont"\r
            r3,4111111111111111,12/30,"two
            lines"
            r4,4111111111111111,12/30,Zoë
            """)
        let rows = try readRows(path, format: .csv)
        #expect(rows.map(\.row) == [1, 2, 3, 4])
        #expect(rows.allSatisfy { $0.problem == nil })
        #expect(rows[0].values["cardholder_name"] == "O'Brien, Mary")
        #expect(rows[1].values["cardholder_name"] == "Jean \"Johnny\" Dupont")
        #expect(rows[2].values["cardholder_name"] == "two\nlines")
        #expect(rows[3].values["cardholder_name"] == "Zoë")
        #expect(rows[0].values["reference"] == "r1")
    }

    @Test func headerNamesMatchLooselyAndMapRenames() throws {
        let ws = try TestWorkspace()
        let path = try ws.writeGzip("a.csv.gz", "\u{FEFF}Reference, Card Number ,EXPIRY-DATE,Extra\nr1,4111111111111111,1230,x\n")
        let rows = try readRows(path, format: .csv)
        #expect(rows[0].values == ["reference": "r1", "card_number": "4111111111111111", "expiry_date": "1230"])

        let mapped = try ws.writeGzip("b.csv.gz", "PAN;EXP\n4111111111111111;1230\n")
        let mappedRows = try readRows(
            mapped, format: .csv, delimiter: UInt8(ascii: ";"), map: [("card_number", "PAN"), ("expiry_date", "EXP")])
        #expect(mappedRows[0].values == ["card_number": "4111111111111111", "expiry_date": "1230"])
    }

    @Test func aBrokenRowCostsOneRowOnly() throws {
        let ws = try TestWorkspace()
        let path = try ws.writeGzip(
            "a.csv.gz",
            """
            reference,card_number,expiry_date
            r1,"4111111111111111,12/30
            r2,4111111111111111,12/30
            r3,4111111111111111,12/30,extra
            r4,"4111111111111111"x,12/30
            r5,4111111111111111,12/30

            r6,4111111111111111,12/30
            """)
        let rows = try readRows(path, format: .csv)
        #expect(rows.map(\.row) == [1, 2, 3, 4, 5, 6])
        #expect(rows[0].problem == .unterminatedQuote)
        #expect(rows[1].problem == nil && rows[1].values["reference"] == "r2")
        #expect(rows[2].problem == .wrongFieldCount)
        #expect(rows[3].problem == .textAfterClosingQuote)
        #expect(rows[4].problem == nil && rows[5].values["reference"] == "r6")
    }

    @Test func invalidUTF8IsOneMalformedRow() throws {
        let ws = try TestWorkspace()
        var bytes = Array("reference,card_number,expiry_date\nr1,4111111111111111,12/30\nr".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(",4111111111111111,12/30\n".utf8)
        let path = ws.path("bad.csv")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let rows = try readRows(path, format: .csv)
        #expect(rows.map(\.problem) == [nil, .invalidUTF8])
    }

    @Test func missingRequiredColumnFailsTheFile() throws {
        let ws = try TestWorkspace()
        let path = try ws.writeGzip("a.csv.gz", "reference,number,expiry_date\nr1,4111111111111111,12/30\n")
        #expect(throws: TokenVaultError.self) { try readRows(path, format: .csv) }
    }

    /// SPEC §10: no header (a failed `gpg -d` upstream) is a data error, not an empty success.
    @Test(arguments: [("e.csv", RecordFormat.csv), ("e.jsonl", .jsonl), ("blank.jsonl", .jsonl)])
    func inputWithoutHeaderOrRecordIsADataError(name: String, format: RecordFormat) throws {
        let ws = try TestWorkspace()
        let path = try ws.writePlain(name, name.hasPrefix("blank") ? "\n\n" : "")
        let error = #expect(throws: TokenVaultError.self) { try readRows(path, format: format) }
        #expect(error?.code == .inputData)
        #expect(error?.message.contains("is empty") == true)
    }

    @Test func headerWithoutRowsHasNoRows() throws {
        let ws = try TestWorkspace()
        #expect(try readRows(try ws.writeGzip("h.csv.gz", "card_number,expiry_date\n"), format: .csv).isEmpty)
    }

    /// A recursive skip overflowed the stack at some 100k levels; now it is one malformed row.
    @Test(arguments: [100_000, 400_000])
    func deeplyNestedJSONIsOneMalformedRow(depth: Int) throws {
        let ws = try TestWorkspace()
        let deep = #"{"x":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        let objects = #"{"x":"# + String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth) + "}"
        let path = try ws.writePlain(
            "d.jsonl",
            """
            {"card_number":"4111111111111111","expiry_date":"12/30"}
            \(deep)
            \(objects)
            {"card_number":"5555555555554444","expiry_date":"12/30","n":[[[{"a":[1,{"b":null}]}]]]}

            """)
        let rows = try readRows(path, format: .jsonl)
        #expect(rows.map(\.row) == [1, 2, 3, 4])
        #expect(rows.map(\.problem) == [nil, .nestedTooDeep, .nestedTooDeep, nil])
        #expect(rows[3].values["card_number"] == "5555555555554444")
    }

    @Test func nestingUpToTheLimitIsRead() throws {
        let ws = try TestWorkspace()
        let n = JSONObjectParser.maxDepth
        let ok =
            #"{"card_number":"4111111111111111","x":"# + String(repeating: "[", count: n) + "1" + String(repeating: "]", count: n) + "}"
        let over =
            #"{"card_number":"4111111111111111","x":"# + String(repeating: "[", count: n + 1) + "1" + String(repeating: "]", count: n + 1)
            + "}"
        let broken = #"{"x":[[{"a" 1}]]}"#
        let rows = try readRows(try ws.writePlain("l.jsonl", ok + "\n" + over + "\n" + broken + "\n"), format: .jsonl)
        #expect(rows.map(\.problem) == [nil, .nestedTooDeep, .invalidJSON])
    }
}

@Suite struct GzipInputTests {
    static let text = "reference,card_number,expiry_date\n" + (1...500).map { "r\($0),4111111111111111,12/30\n" }.joined()

    @Test func multiMemberGzipReadsWhole() throws {
        let ws = try TestWorkspace()
        let path = try ws.writeGzip("m.csv.gz", Self.text, members: 7)
        #expect(try readRows(path, format: .csv).count == 500)
    }

    @Test func plainFilesAreRecognisedByContent() throws {
        let ws = try TestWorkspace()
        let path = try ws.writePlain("plain.csv.gz", Self.text) // misleading name: content decides
        #expect(try readRows(path, format: .csv).count == 500)
    }

    @Test func truncatedGzipDeliversCompleteRowsThenFails() throws {
        let ws = try TestWorkspace()
        let full = try Data(contentsOf: URL(fileURLWithPath: try ws.writeGzip("t.csv.gz", Self.text)))
        let path = ws.path("cut.csv.gz")
        try full.prefix(full.count - 20).write(to: URL(fileURLWithPath: path))
        let reader = RecordReader(source: try InputSource(path: path), format: .csv, delimiter: 0x2C)
        _ = try reader.readHeader()
        var rows = 0
        var failure: TokenVaultError?
        do {
            while let batch = try reader.nextBatch(maxRecords: 100, sequence: 0, inputIndex: 0) { rows += batch.records.count }
        } catch let error as TokenVaultError {
            failure = error
        }
        #expect(failure?.code == .inputData)
        #expect(failure?.message.contains("truncated") == true)
        #expect(rows > 0 && rows < 500)
    }

    @Test func corruptGzipFails() throws {
        let ws = try TestWorkspace()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try ws.writeGzip("c.csv.gz", Self.text))))
        for i in 40..<60 { bytes[i] ^= 0x5A }
        let path = ws.path("corrupt.csv.gz")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: TokenVaultError.self) { try readRows(path, format: .csv) }
    }

    /// gzip(1) ignores zero bytes after the last member (tape or block padding); so do we.
    @Test(arguments: [1, 512, 300_000])
    func trailingZeroPaddingIsAccepted(zeros: Int) throws {
        let ws = try TestWorkspace()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try ws.writeGzip("z.csv.gz", Self.text, members: 2))))
        bytes += [UInt8](repeating: 0, count: zeros)
        let path = ws.path("padded.csv.gz")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try readRows(path, format: .csv).count == 500)
    }

    @Test func dataAfterZeroPaddingFails() throws {
        let ws = try TestWorkspace()
        let member = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try ws.writeGzip("z.csv.gz", Self.text))))
        let path = ws.path("padded.csv.gz")
        try Data(member + [0, 0, 0] + member).write(to: URL(fileURLWithPath: path))
        #expect(throws: TokenVaultError.self) { try readRows(path, format: .csv) }
    }

    @Test func trailingGarbageAfterGzipFails() throws {
        let ws = try TestWorkspace()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try ws.writeGzip("g.csv.gz", Self.text))))
        bytes += Array("garbage".utf8)
        let path = ws.path("garbage.csv.gz")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: TokenVaultError.self) { try readRows(path, format: .csv) }
    }
}

@Suite struct JSONLinesReadingTests {
    @Test func valuesEscapesNumbersAndBlankLines() throws {
        let ws = try TestWorkspace()
        let path = try ws.writeGzip(
            "a.jsonl.gz",
            #"""
            {"reference":"r1","card_number":"4111111111111111","expiry_month":12,"expiry_year":2030,"cardholder_name":"Zo\u00eb \"Z\" \ud83d\ude00","extra":{"nested":[1,2,{"a":null}]}}

            {"Card Number": 4111111111111111, "expiry_date": "12/30", "cvv": null}
              {"reference":"r3","card_number":"4111111111111111","expiry_date":"12\/30"}
            """#)
        let rows = try readRows(path, format: .jsonl)
        #expect(rows.map(\.row) == [1, 2, 3])
        #expect(rows.allSatisfy { $0.problem == nil })
        #expect(rows[0].values["cardholder_name"] == "Zoë \"Z\" 😀")
        #expect(rows[0].values["expiry_month"] == "12")
        #expect(rows[1].values["card_number"] == "4111111111111111")
        #expect(rows[1].values["cvv"] == nil)
        #expect(rows[2].values["expiry_date"] == "12/30")
    }

    @Test(arguments: [
        (#"{"card_number": "4111"#, MalformedReason.invalidJSON),
        (#"{"card_number": "41"} x"#, .invalidJSON),
        (#"["4111111111111111"]"#, .notAnObject),
        (#"{"a": "\ud83d"}"#, .invalidJSON),
        (#"{"a": "\x"}"#, .invalidJSON),
        (#"{"a": 01}"#, .invalidJSON),
        (#"{"a" 1}"#, .invalidJSON),
        (#"{"a": 1,}"#, .invalidJSON),
    ])
    func malformedLines(line: String, reason: MalformedReason) throws {
        let ws = try TestWorkspace()
        let path = try ws.writeGzip("a.jsonl.gz", line + "\n{\"card_number\":\"4111111111111111\"}\n")
        let rows = try readRows(path, format: .jsonl)
        #expect(rows.map(\.problem) == [reason, nil])
    }
}
