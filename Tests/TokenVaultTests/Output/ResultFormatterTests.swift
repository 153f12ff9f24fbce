import Foundation
import Testing

@testable import TokenVault

@Suite struct ResultFormatterTests {
    func batch(hasNetworkToken: Bool = false) -> PreparedBatch {
        let display = InstrumentDisplay(
            visiblePrefix: "411111", last4: "1111", numberLength: 16, customAlias: nil,
            brandOrCountry: "visa", bankCode: "", expiry: YearMonth(year: 2030, month: 7), metadata: nil,
            hasNetworkToken: hasNetworkToken)
        let token = Token("0b7e2a52-3c1d-4f6e-9a8b-7c6d5e4f3a2b")!
        var rows = [
            PreparedRow(
                row: 1, reference: "a,\"b\"", issues: [],
                instrument: PreparedInstrument(
                    fingerprint: [UInt8](repeating: 0, count: 32).withUnsafeBytes { Fingerprint($0) },
                    candidateToken: token, sealed: Data(), display: display)),
            PreparedRow(row: 2, reference: nil, issues: [RowIssue(.checksumFailed, .cardNumber, "card_number fails the Luhn check")]),
        ]
        rows[0].issues = [RowIssue(.cvvNotStored, .cvv, "cvv was present", severity: .warning)]
        var batch = PreparedBatch(sequence: 0, inputIndex: 0, rows: rows)
        batch.resolutions = [Resolution(status: .new, token: token), .rejected]
        return batch
    }

    @Test func csvQuotesWhatNeedsQuoting() {
        let formatter = ResultFormatter(kind: .card, format: .csv, inputPaths: nil)
        let (results, errors) = formatter.format(batch())
        #expect(
            String(decoding: formatter.header(formatter.resultColumns), as: UTF8.self)
                == "row,reference,status,token,is_new_token,alias,brand,last4,expiry,has_network_token\n")
        #expect(
            String(decoding: results, as: UTF8.self) == #"""
                1,"a,""b""",new,0b7e2a52-3c1d-4f6e-9a8b-7c6d5e4f3a2b,true,411111******1111,visa,1111,07/30,false
                2,,rejected,,,,,,,

                """#)
        #expect(
            String(decoding: errors, as: UTF8.self) == #"""
                1,"a,""b""",warning,CVV_NOT_STORED,cvv,cvv was present
                2,,error,CHECKSUM_FAILED,card_number,card_number fails the Luhn check

                """#)
    }

    @Test func jsonLinesHaveTypedValuesAndAFileKeyForSeveralInputs() throws {
        let formatter = ResultFormatter(kind: .card, format: .jsonl, inputPaths: ["x.csv.gz", "y.csv.gz"])
        let (results, _) = formatter.format(batch())
        let lines = String(decoding: results, as: UTF8.self).split(separator: "\n")
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(first["file"] as? String == "x.csv.gz")
        #expect(first["row"] as? Int == 1)
        #expect(first["is_new_token"] as? Bool == true)
        #expect(first["reference"] as? String == "a,\"b\"")
        let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as! [String: Any]
        #expect(second["is_new_token"] is NSNull)
        #expect(second["status"] as? String == "rejected")
        #expect(formatter.header(formatter.resultColumns).isEmpty)
        #expect(lines[0].hasPrefix("{\"file\":"))
    }

    /// Card results show only whether a network token came with the card: `true`/`false`, and
    /// empty (CSV) or null (JSON Lines) for rejected rows.
    @Test func hasNetworkTokenIsAFlagAndEmptyForRejectedRows() throws {
        let csv = ResultFormatter(kind: .card, format: .csv, inputPaths: nil)
        let lines = String(decoding: csv.format(batch(hasNetworkToken: true)).results, as: UTF8.self).split(separator: "\n")
        #expect(lines[0].hasSuffix(",07/30,true"))
        #expect(lines[1].hasSuffix(",,"))
        let jsonl = ResultFormatter(kind: .card, format: .jsonl, inputPaths: nil)
        let objects = try String(decoding: jsonl.format(batch(hasNetworkToken: true)).results, as: UTF8.self).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects[0]["has_network_token"] as? Bool == true)
        #expect(objects[1]["has_network_token"] is NSNull)
        let bank = ResultFormatter(kind: .bankAccount, format: .csv, inputPaths: nil)
        #expect(!bank.resultColumns.contains("has_network_token"))
    }

    @Test func gzipMembersConcatenateIntoOneFile() throws {
        let ws = try TestWorkspace()
        let data = GzipMember.compress(Array("one\n".utf8)) + GzipMember.compress(Array("two\n".utf8))
        let path = ws.path("m.gz")
        try Data(data).write(to: URL(fileURLWithPath: path))
        #expect(try ws.readText(path) == "one\ntwo\n")
    }
}
