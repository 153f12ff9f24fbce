import Foundation
import Testing

@testable import TokenVault

/// `--expect-rows N` on the real executable (SPEC §11): a count off by one fails with 65
/// before anything is committed.
@Suite struct ExpectRowsEndToEndTests {
    static let csv =
        TestCards.csv((1...5).map { ("r\($0)", TestCards.number(serial: 5100 + $0), "12/39") })
        + "r6,not-a-card,12/39,Test Holder\n" + "r7,\"unterminated\n"

    @Test(arguments: [6, 8])
    func offByOneCommitsNothing(expected: Int) throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("cards.csv.gz", Self.csv)
        #expect(try ws.run(["init"]).status == 0)
        let result = try ws.run([
            "tokenize", "--create-vault", "--kind", "card", "cards.csv.gz", "--job-id", "j", "--expect-rows", "\(expected)",
        ])
        #expect(result.status == 65)
        #expect(result.stderr.contains("7 data rows") && result.stderr.contains("\(expected) expected"))
        #expect(ws.liveTokens(vault: ws.path("vault.db")) == 0)
        #expect(try ws.instrumentSnapshot(vault: "vault.db").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: ws.path("out/j.results.csv.gz")))
        let runs = try ws.run(["report", "--vault", "vault.db", "--format", "json"])
        #expect(!runs.stdout.contains("\"j\""))
    }

    @Test func theExactCountRunsAndCountsEveryFileMalformedRowsIncluded() throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("a.csv.gz", Self.csv)
        try ws.writePlain("b.jsonl", "{\"card_number\":\"\(TestCards.number(serial: 5200))\",\"expiry_date\":\"12/39\"}\n\n{bad\n")
        let result = try ws.run([
            "tokenize", "--create-vault", "--kind", "card", "a.csv.gz", "b.jsonl", "--job-id", "j", "--expect-rows", "9",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try ws.readReport("j").counts.rows == 9)
    }

    @Test func standardInputIsRefusedAndAJobChecksEachFile() throws {
        let ws = try TestWorkspace()
        let stdin = try ws.run(["tokenize", "--create-vault", "--kind", "card", "-", "--expect-rows", "7"], stdin: Data(Self.csv.utf8))
        #expect(stdin.status == 64 && stdin.stderr.contains("standard input"))
        try FileManager.default.createDirectory(atPath: ws.path("jobs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: ws.path("incoming"), withIntermediateDirectories: true)
        try ws.writePlain(
            "jobs/m.json",
            """
            { "name": "m", "kind": "card", "inputs": ["incoming/*.csv.gz"], "vault": "vault.db", "create_vault": true, "expect_rows": 6 }
            """)
        try ws.writeGzip("incoming/x.csv.gz", Self.csv)
        let run = try ws.run(["run", "jobs/m.json"])
        #expect(run.status == 65)
        #expect(ws.liveTokens(vault: ws.path("vault.db")) == 0)
    }
}
