import Foundation
import Testing

@testable import TokenVault

/// `--on-existing keep|update` on the real executable (SPEC §10): results show what the vault
/// holds for an existing card; `update` re-seals the row's expiry and holder name, and
/// `detokenize` returns them with the number unchanged.
@Suite struct OnExistingEndToEndTests {
    static let a = TestCards.number(serial: 6001)
    static let b = TestCards.number(serial: 6002)
    static let networkToken = TestCards.number(prefix: "489537", length: 16, serial: 6003)

    static let first =
        "reference,card_number,expiry_date,cardholder_name,alias,network_token,network_token_expiry\n"
        + "a1,\(a),12/39,Old Name,my visa,,\n" + "b1,\(b),10/38,Bea Holder,,\(networkToken),10/38\n"
    /// The reissued card A (new expiry and name, another alias) and card B without its network token.
    static let reissued =
        "reference,card_number,expiry_date,cardholder_name,alias\n"
        + "a2,\(a),11/40,New Name,other alias\n" + "b2,\(b),10/38,Bea Holder,\n"

    func detokenized(_ ws: TestWorkspace, _ results: String, kind: String = "card") throws -> [String: [String: String]] {
        let out = "back-\(UUID().uuidString.prefix(6)).csv"
        let run = try ws.run(["detokenize", "--input", results, "--out", out, "--kind", kind])
        #expect(run.status == 0, "\(run.stderr)")
        return Dictionary(try ws.readCSV(ws.path(out)).map { ($0["reference"]!, $0) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func keepShowsTheStoredRecordAndUpdateReplacesExpiryAndHolder() throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("first.csv.gz", Self.first)
        try ws.writeGzip("reissued.csv.gz", Self.reissued)
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "first.csv.gz", "--job-id", "first"]).status == 0)
        let tokens = try ws.readCSV(ws.path("out/first.results.csv.gz")).map { $0["token"]! }

        // keep (the default): the vault's alias, expiry and network token, not the row's.
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "reissued.csv.gz", "--job-id", "keep"]).status == 0)
        let kept = try ws.readCSV(ws.path("out/keep.results.csv.gz"))
        #expect(kept.map { $0["status"]! } == ["existing", "existing"])
        #expect(kept[0]["alias"] == "my visa" && kept[0]["expiry"] == "12/39")
        #expect(kept[1]["has_network_token"] == "true" && kept[1]["expiry"] == "10/38")
        #expect(kept[0]["updated"] == nil)
        var back = try detokenized(ws, "out/keep.results.csv.gz")
        #expect(back["a2"]?["cardholder_name"] == "Old Name" && back["a2"]?["expiry_year"] == "2039")

        // update: A's expiry and holder follow the row; B is unchanged and keeps its network token.
        let update = try ws.run([
            "tokenize", "--create-vault", "--kind", "card", "reissued.csv.gz", "--job-id", "update", "--on-existing", "update",
        ])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stdout.contains("1 updated"))
        let updated = try ws.readCSV(ws.path("out/update.results.csv.gz"))
        #expect(updated.map { $0["token"]! } == tokens)
        #expect(updated.map { $0["updated"]! } == ["true", "false"])
        #expect(updated[0]["expiry"] == "11/40" && updated[0]["alias"] == "my visa")
        #expect(updated[1]["has_network_token"] == "true")
        #expect(try ws.readReport("update").counts.updated == 1)
        back = try detokenized(ws, "out/update.results.csv.gz")
        #expect(back["a2"]?["card_number"] == Self.a && back["a2"]?["cardholder_name"] == "New Name")
        #expect(back["a2"]?["expiry_year"] == "2040" && back["a2"]?["expiry_month"] == "11")
        #expect(back["b2"]?["network_token"] == Self.networkToken)
        let audit = try ws.run(["audit", "--vault", "vault.db"])
        #expect(audit.stdout.contains("update") && audit.stdout.contains("\"updated\":\"1\""), "\(audit.stdout)")

        // The same file again changes nothing more.
        #expect(
            try ws.run(["tokenize", "--create-vault", "--kind", "card", "reissued.csv.gz", "--job-id", "again", "--on-existing", "update"])
                .status == 0)
        #expect(try ws.readCSV(ws.path("out/again.results.csv.gz")).map { $0["updated"]! } == ["false", "false"])
    }

    @Test func aDryRunPredictsTheUpdateAndWritesNothing() throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("first.csv.gz", Self.first)
        try ws.writeGzip("reissued.csv.gz", Self.reissued)
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "first.csv.gz", "--job-id", "first"]).status == 0)
        let before = try ws.instrumentSnapshot(vault: "vault.db")
        let dry = try ws.run([
            "tokenize", "--create-vault", "--kind", "card", "reissued.csv.gz", "--job-id", "dry", "--on-existing", "update",
            "--dry-run", "--output-format", "jsonl",
        ])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(try ws.instrumentSnapshot(vault: "vault.db") == before)
        let lines = try ws.readText(ws.path("out/dry.results.jsonl.gz")).split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains(#""updated":true"#) && lines[0].contains(#""expiry":"11/40""#))
        #expect(lines[1].contains(#""updated":false"#))
    }
}

extension OnExistingEndToEndTests {
    @Test func updateReplacesABankAccountsHolderName() throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("one.csv.gz", "reference,iban,account_holder_name\na1,DE89370400440532013000,Ada Lovelace\n")
        try ws.writeGzip("two.csv.gz", "reference,iban,account_holder_name\na2,DE89 3704 0044 0532 0130 00,Ada King\n")
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "bank-account", "one.csv.gz", "--job-id", "one"]).status == 0)
        #expect(
            try ws.run(["tokenize", "--create-vault", "--kind", "bank-account", "two.csv.gz", "--job-id", "two", "--on-existing", "update"])
                .status == 0)
        let results = try ws.readCSV(ws.path("out/two.results.csv.gz"))
        #expect(results.map { $0["updated"]! } == ["true"])
        let back = try detokenized(ws, "out/two.results.csv.gz", kind: "bank-account")
        #expect(back["a2"]?["account_holder_name"] == "Ada King" && back["a2"]?["iban"] == "DE89370400440532013000")
    }
}
