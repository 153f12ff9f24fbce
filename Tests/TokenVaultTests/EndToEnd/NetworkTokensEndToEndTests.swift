import Foundation
import Testing

@testable import TokenVault

/// Network tokens and scheme references on the real executable (SPEC §11, issue 12): every
/// field's valid and invalid forms, the token never in any output or the vault file, and
/// `detokenize` returning every field exactly.
@Suite struct NetworkTokensEndToEndTests {
    static let par = "V0010013019341234567890ABCDE" + "F"
    static func card(_ i: Int) -> String { TestCards.number(prefix: "4", length: 16, serial: 7000 + i) }
    static func token(_ i: Int) -> String { TestCards.number(prefix: "489537", length: 16, serial: 500 + i) }

    /// One input row: reference, and the network fields (card number and expiry are added).
    struct Row {
        var reference: String
        var token = "", tokenExpiry = "", trid = "", par = "", nti = "", alias = ""
        /// The expected error `CODE/property`, or nil for an accepted row.
        var expected: String?
    }

    static let rows: [Row] = [
        Row(reference: "r1", token: token(1), tokenExpiry: "12/31", trid: "40010030273", par: par, nti: "MCC123ABC0101"),
        Row(reference: "r2"),
        Row(reference: "r3", token: "4895 37x0 0000 0000", tokenExpiry: "12/31", expected: "INVALID_FORMAT/network_token"),
        Row(reference: "r4", token: "489537000000", tokenExpiry: "12/31", expected: "INVALID_LENGTH/network_token"),
        Row(
            reference: "r5", token: String(token(5).dropLast()) + String((Int(String(token(5).last!))! + 1) % 10),
            tokenExpiry: "12/31", expected: "CHECKSUM_FAILED/network_token"),
        Row(reference: "r6", token: token(6), expected: "MISSING_FIELD/network_token_expiry"),
        Row(reference: "r7", token: token(7), tokenExpiry: "01/20", expected: "CARD_EXPIRED/network_token_expiry"),
        Row(reference: "r8", token: token(8), tokenExpiry: "13/31", expected: "INVALID_FORMAT/network_token_expiry"),
        Row(reference: "r9", token: token(9), tokenExpiry: "12/31", trid: "4001003027", expected: "INVALID_LENGTH/token_requestor_id"),
        Row(reference: "r10", token: token(10), tokenExpiry: "12/31", trid: "4001003027A", expected: "INVALID_FORMAT/token_requestor_id"),
        Row(reference: "r11", par: par.lowercased(), expected: "INVALID_FORMAT/payment_account_reference"),
        Row(reference: "r12", par: String(par.dropLast()), expected: "INVALID_LENGTH/payment_account_reference"),
        Row(reference: "r13", nti: String(repeating: "A", count: 65), expected: "INVALID_LENGTH/network_transaction_id"),
        Row(reference: "r14", nti: "MCC-123", expected: "INVALID_FORMAT/network_transaction_id"),
        Row(reference: "r15", token: token(15), tokenExpiry: "12/31", alias: "nt " + token(15), expected: "SENSITIVE_DATA_IN_FIELD/alias"),
        Row(reference: "order " + token(16), token: token(16), tokenExpiry: "12/31", expected: "SENSITIVE_DATA_IN_FIELD/reference"),
        Row(
            reference: "r17", token: String(token(17).prefix(8)) + "-" + String(token(17).dropFirst(8)), tokenExpiry: "0731",
            trid: "50010030273", par: "ABCDEFGHIJKLMNOPQRSTUVWXYZ012", nti: String(repeating: "z9", count: 32)),
        Row(reference: "r18", tokenExpiry: "12/31", expected: "MISSING_FIELD/network_token"),
    ]

    /// Every network token of the input (those long enough to be one), digits only.
    static var tokens: Set<String> {
        Set(rows.map { $0.token.filter(\.isNumber) }.filter { $0.count >= 13 })
    }

    static func csv() -> String {
        // Header names as other providers spell them: the header rule maps them.
        var text =
            "reference,card_number,expiry_date,Network Token,network-token-expiry,TOKEN_REQUESTOR_ID,payment_account_reference,network_transaction_id,alias\n"
        for (i, row) in rows.enumerated() {
            text += CSVText.line([row.reference, card(i), "12/30", row.token, row.tokenExpiry, row.trid, row.par, row.nti, row.alias]) + ""
        }
        return text
    }

    @Test func everyFieldIsValidatedSealedNeverShownAndDetokenizedExactly() throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("cards.csv.gz", Self.csv())
        let first = try ws.run(["tokenize", "--create-vault", "--kind", "card", "cards.csv.gz", "--job-id", "t"])
        #expect(first.status == 0, "\(first.stderr)")

        // Error codes, one row at a time.
        let errors = try ws.readCSV(ws.path("out/t.errors.csv.gz"))
        for (i, row) in Self.rows.enumerated() {
            let found = errors.filter { $0["row"] == String(i + 1) }.map { "\($0["code"]!)/\($0["property_name"]!)" }
            if let expected = row.expected {
                #expect(found.contains(expected), "row \(i + 1): \(found)")
            } else {
                #expect(found.isEmpty, "row \(i + 1): \(found)")
            }
        }

        // Results: only the flag, empty for rejected rows; the reference holding a token withheld.
        let results = try ws.readCSV(ws.path("out/t.results.csv.gz"))
        #expect(results.count == Self.rows.count)
        for (row, result) in zip(Self.rows, results) {
            if row.expected != nil {
                #expect(result["status"] == "rejected" && result["has_network_token"] == "")
            } else {
                #expect(result["status"] == "new")
                #expect(result["has_network_token"] == (row.token.isEmpty ? "false" : "true"), "\(row.reference)")
            }
        }
        #expect(results[15]["reference"] == "")

        // A second run with JSON Lines output: the same cards, existing, the flag a JSON boolean.
        let second = try ws.run([
            "tokenize", "--create-vault", "--kind", "card", "cards.csv.gz", "--job-id", "j", "--output-format", "jsonl",
            "--log-format", "json",
        ])
        #expect(second.status == 0)
        let lines = try ws.readText(ws.path("out/j.results.jsonl.gz")).split(separator: "\n")
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects[0]["has_network_token"] as? Bool == true)
        #expect(objects[1]["has_network_token"] as? Bool == false)
        #expect(objects[2]["has_network_token"] is NSNull)

        // The tokens are nowhere: outputs, report, stdout, stderr, the vault's files.
        var everything = Array((first.stdout + first.stderr + second.stdout + second.stderr).utf8)
        for file in try FileManager.default.contentsOfDirectory(atPath: ws.path("out")) {
            everything += Array(try ws.readText(ws.path("out/\(file)")).utf8)
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: ws.root.path) where file.hasPrefix("vault.db") {
            everything += [UInt8](try Data(contentsOf: URL(fileURLWithPath: ws.path(file))))
        }
        #expect(Self.tokens.count == 11)
        #expect(leakedNumbers(in: everything, numbers: Self.tokens).isEmpty)

        // detokenize gives every field back exactly.
        let out = try ws.run(["detokenize", "--input", "out/t.results.csv.gz", "--out", "back.csv", "--kind", "card"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(leakedNumbers(in: Array((out.stdout + out.stderr).utf8), numbers: Self.tokens).isEmpty)
        let back = try ws.readCSV(ws.path("back.csv"))
        let byReference = Dictionary(back.map { ($0["reference"] ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let r1 = try #require(byReference["r1"])
        #expect(r1["network_token"] == Self.token(1))
        #expect(r1["network_token_expiry"] == "12/31")
        #expect(r1["token_requestor_id"] == "40010030273")
        #expect(r1["payment_account_reference"] == Self.par)
        #expect(r1["network_transaction_id"] == "MCC123ABC0101")
        #expect(r1["card_number"] == Self.card(0))
        let r17 = try #require(byReference["r17"])
        #expect(r17["network_token"] == Self.token(17))
        #expect(r17["network_token_expiry"] == "07/31")
        #expect(r17["token_requestor_id"] == "50010030273")
        #expect(r17["payment_account_reference"] == "ABCDEFGHIJKLMNOPQRSTUVWXYZ012")
        #expect(r17["network_transaction_id"] == String(repeating: "z9", count: 32))
        let r2 = try #require(byReference["r2"])
        for column in [
            "network_token", "network_token_expiry", "token_requestor_id", "payment_account_reference", "network_transaction_id",
        ] {
            #expect(r2[column] == "", "\(column)")
        }
    }

    /// JSON Lines keys map like CSV headers; `--allow-expired` lets an expired network token in.
    @Test func jsonLinesKeysAndAllowExpired() throws {
        let ws = try TestWorkspace()
        let line =
            #"{"reference":"j1","card_number":"\#(Self.card(40))","expiry_date":"12/30","network_token":"\#(Self.token(40))","network_token_expiry":"0120","payment_account_reference":"\#(Self.par)"}"#
        try ws.writePlain("cards.jsonl", line + "\n")
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "cards.jsonl", "--job-id", "strict"]).status == 0)
        let strict = try ws.readCSV(ws.path("out/strict.errors.csv.gz"))
        #expect(strict.map { "\($0["code"]!)/\($0["property_name"]!)" } == ["CARD_EXPIRED/network_token_expiry"])
        #expect(
            try ws.run(["tokenize", "--create-vault", "--kind", "card", "cards.jsonl", "--job-id", "lenient", "--allow-expired"]).status
                == 0)
        let results = try ws.readCSV(ws.path("out/lenient.results.csv.gz"))
        #expect(results.first?["status"] == "new" && results.first?["has_network_token"] == "true")
        #expect(try ws.readCSV(ws.path("out/lenient.errors.csv.gz")).isEmpty)
    }
}
