import Foundation
import Testing

@testable import TokenVault

/// `--keep-column` on the real executable (SPEC §11): kept values echo exactly, for every row,
/// in CSV and JSON Lines, and never a number.
@Suite struct KeepColumnsEndToEndTests {
    static func card(_ i: Int) -> String { TestCards.number(serial: 8100 + i) }
    static let networkToken = TestCards.number(prefix: "489537", length: 16, serial: 8199)

    /// reference, then the kept columns' expected echo, then the expected status.
    struct Row {
        var reference: String
        var number: String
        var oldID: String
        var customer: String
        var note: String
        var status: String
        var echo: (String, String, String)? = nil
    }

    static let rows: [Row] = [
        Row(reference: "r1", number: card(1), oldID: "card_1MvN8z2eZvKYlo2C", customer: "cus_NffrFeUfNV2Hib", note: "a, b", status: "new"),
        Row(reference: "r2", number: card(2), oldID: "pm_\"quoted\"", customer: "", note: "Zoë 東京 🚀", status: "new"),
        Row(reference: "r3", number: "4111111111111112", oldID: "card_bad", customer: "cus_rejected", note: "line", status: "rejected"),
        Row(
            reference: "r4", number: card(4), oldID: "card_leak", customer: "cus_4", note: "pan " + card(4), status: "rejected",
            echo: ("card_leak", "cus_4", "")),
        Row(reference: "r5", number: card(5), oldID: String(repeating: "x", count: 65), customer: "cus_5", note: "", status: "rejected"),
        Row(reference: "r6", number: card(1), oldID: "card_again", customer: "cus_NffrFeUfNV2Hib", note: "", status: "existing"),
        Row(
            reference: "r7", number: card(7), oldID: "nt", customer: "cus_7", note: "token " + networkToken, status: "rejected",
            echo: ("nt", "cus_7", "")),
    ]

    static func csv() -> String {
        "reference,card_number,expiry_date,old_card_id,Customer ID,note,network_token,network_token_expiry\n"
            + rows.map {
                CSVText.line([
                    $0.reference, $0.number, "12/39", $0.oldID, $0.customer, $0.note,
                    $0.reference == "r7" ? networkToken : "", $0.reference == "r7" ? "12/39" : "",
                ])
            }.joined()
            + "r8,\"unterminated\n"
    }

    static let keep = ["--keep-column", "old_card_id", "--keep-column", "customer_id", "--keep-column", "note"]

    @Test(arguments: [RecordFormat.csv, .jsonl])
    func keptColumnsEchoExactlyAndNeverANumber(format: RecordFormat) throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("export.csv.gz", Self.csv())
        let run = try ws.run(
            ["tokenize", "--create-vault", "--kind", "card", "export.csv.gz", "--job-id", "j", "--output-format", format.rawValue]
                + Self.keep)
        #expect(run.status == 0, "\(run.stderr)")
        let path = ws.path("out/j.results.\(format.fileExtension)")
        var rows: [[String: String]]
        if format == .csv {
            let text = try ws.readText(path)
            #expect(
                text.hasPrefix(
                    "row,reference,status,token,is_new_token,alias,brand,last4,expiry,has_network_token,old_card_id,customer_id,note\n"))
            rows = try ws.readCSV(path)
        } else {
            rows = try ws.readText(path).split(separator: "\n").map { line in
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return object.compactMapValues { $0 as? String }
            }
        }
        #expect(rows.count == 8)
        for (row, expected) in zip(rows, Self.rows) {
            #expect(row["status"] == expected.status, "\(expected.reference)")
            let echo = expected.echo ?? (expected.oldID, expected.customer, expected.note)
            #expect(row["old_card_id"] == echo.0 && row["customer_id"] == echo.1 && row["note"] == echo.2, "\(expected.reference)")
        }
        // The malformed row has the columns, empty.
        #expect(rows[7]["old_card_id"] == "" && rows[7]["note"] == "")
        let errors = try ws.readCSV(ws.path("out/j.errors.\(format == .csv ? "csv.gz" : "jsonl.gz")"))
        if format == .csv {
            let codes = Set(errors.map { "\($0["reference"]!)/\($0["code"]!)/\($0["property_name"]!)" })
            #expect(
                codes.isSuperset(of: [
                    "r4/SENSITIVE_DATA_IN_FIELD/note", "r5/INVALID_LENGTH/old_card_id", "r7/SENSITIVE_DATA_IN_FIELD/note",
                ]))
        }
        let everything =
            try ws.readText(path) + ws.readText(ws.path("out/j.errors.\(format == .csv ? "csv.gz" : "jsonl.gz")"))
            + run.stdout + run.stderr
        let numbers = cardNumbers(inInput: Self.csv()).union([Self.networkToken])
        #expect(leakedNumbers(in: Array(everything.utf8), numbers: numbers).isEmpty)
    }

    @Test func jsonLinesInputAndAJobFileKeepColumnsToo() throws {
        let ws = try TestWorkspace()
        try FileManager.default.createDirectory(atPath: ws.path("jobs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: ws.path("incoming"), withIntermediateDirectories: true)
        try ws.writePlain(
            "incoming/export.jsonl",
            """
            {"card_number":"\(Self.card(30))","expiry_date":"12/39","stripe_id":"card_A\\u00e9,\\"x\\"","legacy_no":12345}
            {"card_number":"\(Self.card(31))","expiry_date":"12/39"}

            """)
        try ws.writePlain(
            "jobs/m.json",
            """
            { "name": "m", "kind": "card", "inputs": ["incoming/*.jsonl"], "vault": "vault.db", "create_vault": true,
              "keep_columns": ["stripe_id", "Legacy No"] }
            """)
        let run = try ws.run(["run", "jobs/m.json"])
        #expect(run.status == 0, "\(run.stderr)")
        let results = try #require(
            try FileManager.default.contentsOfDirectory(atPath: ws.path("out/m")).first { $0.hasSuffix(".results.csv.gz") })
        let rows = try ws.readCSV(ws.path("out/m/\(results)"))
        #expect(rows.map { $0["stripe_id"]! } == ["card_Aé,\"x\"", ""])
        #expect(rows.map { $0["Legacy No"]! } == ["12345", ""])
    }

    @Test(arguments: [
        (["--keep-column", "card_number"], 64), (["--keep-column", "PAN", "--map", "card_number=PAN"], 64),
        (["--keep-column", "Token"], 64), (["--keep-column", "x", "--keep-column", "X"], 64), (["--keep-column", "absent"], 65),
    ])
    func refusedNames(arguments: [String], status: Int) throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("export.csv.gz", "reference,PAN,card_number,expiry_date,x\n")
        let run = try ws.run(["tokenize", "--create-vault", "--kind", "card", "export.csv.gz", "--job-id", "j"] + arguments)
        #expect(Int(run.status) == status, "\(run.stderr)")
    }
}
