import Foundation
import Testing

@testable import TokenVault

/// The real executable on real gzip files: SPEC §2–§5 for cards.
@Suite struct TokenizeCardsEndToEndTests {
    @Test(arguments: VaultKind.tested)
    func sampleRunReconcilesAndKeepsInputOrder(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "3000", "--seed", "3", "--out", "cards.csv.gz"]).status == 0)
        let result = try ws.run(["tokenize", "--create-vault", "--kind", "card", "cards.csv.gz", "--job-id", "j1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Job j1: 3,000 card rows"))
        let report = try ws.readReport("j1")
        #expect(report.status == .completed)
        #expect(report.counts.rows == 3000)
        #expect(report.counts.rows == report.counts.new + report.counts.existing + report.counts.rejected)
        #expect(report.vault.tokensAfter - report.vault.tokensBefore == report.counts.new)
        #expect(report.counts.existing > 50 && report.counts.rejected > 20 && report.counts.warnings > 20)
        #expect(report.inputs.count == 1 && report.inputs[0].rows == 3000 && report.inputs[0].sha256.count == 64)
        #expect(Set(report.errorsByCode.keys).isSuperset(of: ["CHECKSUM_FAILED", "MALFORMED_RECORD", "CVV_NOT_STORED", "CARD_EXPIRED"]))
        #expect(report.byBrand?.values.reduce(0, +) == report.counts.new + report.counts.existing)

        let rows = try ws.readCSV(ws.path("out/j1.results.csv.gz"))
        #expect(rows.map { Int($0["row"]!)! } == Array(1...3000))
        #expect(rows.filter { $0["status"] == "new" }.count == report.counts.new)
        for row in rows where row["status"] != "rejected" {
            #expect(Token(row["token"]!) != nil)
            #expect(row["is_new_token"] == (row["status"] == "new" ? "true" : "false"))
        }
        let errors = try ws.readCSV(ws.path("out/j1.errors.csv.gz"))
        #expect(errors.count == report.errorsByCode.values.reduce(0, +))
        let rejected = Set(rows.filter { $0["status"] == "rejected" }.map { $0["row"]! })
        #expect(Set(errors.filter { $0["severity"] == "error" }.map { $0["row"]! }) == rejected)
    }

    @Test(arguments: VaultKind.tested)
    func dedupInsideAFileAndAcrossRunsWhateverTheSpelling(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        let a = TestCards.number(serial: 1), b = TestCards.number(prefix: "5", serial: 2)
        let spaced = a.enumerated().map { $0.offset > 0 && $0.offset % 4 == 0 ? " \($0.element)" : "\($0.element)" }.joined()
        try ws.writeGzip(
            "one.csv.gz",
            TestCards.csv([
                ("r1", a, "12/39"), ("r2", b, "12/39"), ("r3", TestCards.CardSpelling.dashed(a), "1239"), ("r4", spaced, "12/39"),
            ]))
        // Batches of 1 row: the repeat lands in another batch; of 100: in the same one.
        for batchSize in ["1", "100"] {
            let vault = "v\(batchSize).db"
            #expect(
                try ws.run([
                    "tokenize", "--create-vault", "--kind", "card", "one.csv.gz", "--vault", vault, "--job-id", "a\(batchSize)",
                    "--batch-size", batchSize,
                ]).status == 0)
            let rows = try ws.readCSV(ws.path("out/a\(batchSize).results.csv.gz"))
            #expect(rows.map { $0["status"]! } == ["new", "new", "existing", "existing"])
            #expect(rows[0]["token"] == rows[2]["token"] && rows[0]["token"] == rows[3]["token"])
            #expect(rows[0]["token"] != rows[1]["token"])
            #expect(rows[0]["alias"] == String(a.prefix(6)) + "******" + String(a.suffix(4)))

            let c = TestCards.number(serial: 3)
            try ws.writeGzip("two\(batchSize).csv.gz", TestCards.csv([("s1", c, "12/39"), ("s2", spaced, "12/39")]))
            #expect(
                try ws.run([
                    "tokenize", "--create-vault", "--kind", "card", "two\(batchSize).csv.gz", "--vault", vault, "--job-id", "b\(batchSize)",
                ]).status == 0)
            let second = try ws.readCSV(ws.path("out/b\(batchSize).results.csv.gz"))
            #expect(second.map { $0["status"]! } == ["new", "existing"])
            #expect(second[1]["token"] == rows[0]["token"])
            #expect(second[1]["is_new_token"] == "false")
            #expect(try ws.readReport("b\(batchSize)").vault.tokensAfter == 3)
        }
    }

    @Test(arguments: VaultKind.tested)
    func truncatedGzipFailsWith65AfterCommittingTheRowsBefore(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        let rows = (1...3000).map { ("r\($0)", TestCards.number(serial: $0), "12/39") }
        let full = try Data(contentsOf: URL(fileURLWithPath: try ws.writeGzip("full.csv.gz", TestCards.csv(rows))))
        try full.prefix(full.count * 2 / 3).write(to: URL(fileURLWithPath: ws.path("cut.csv.gz")))
        let result = try ws.run(["tokenize", "--create-vault", "--kind", "card", "cut.csv.gz", "--job-id", "t", "--batch-size", "100"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("truncated"))
        let report = try ws.readReport("t")
        #expect(report.status == .failed)
        #expect(report.failure?.contains("truncated") == true)
        #expect(report.counts.new > 1000 && report.counts.new < 3000)
        #expect(report.vault.tokensAfter == report.counts.new, "the rows before the damage are committed")
        #expect(!FileManager.default.fileExists(atPath: ws.path("out/t.results.csv.gz")))
        let partial = try ws.readCSV(ws.path("out/t.results.csv.gz.part"))
        #expect(partial.count == report.counts.rows)
        #expect(partial.map { Int($0["row"]!)! } == Array(1...report.counts.rows))
    }

    @Test(arguments: VaultKind.tested)
    func wrongKeyExits77AndChangesNothing(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        try ws.writeGzip("a.csv.gz", TestCards.csv([("r1", TestCards.number(serial: 1), "12/39")]))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "a.csv.gz", "--job-id", "first"]).status == 0)
        let before = try ws.vaultBytes()
        let wrong = try ws.run(
            ["tokenize", "--create-vault", "--kind", "card", "a.csv.gz", "--job-id", "second"],
            environment: ["TOKENVAULT_MASTER_KEY": VaultTests.keyB])
        #expect(wrong.status == 77)
        #expect(wrong.stderr.contains("master key"))
        #expect(!wrong.stderr.contains(VaultTests.keyB) && !wrong.stderr.contains(TestWorkspace.masterKey))
        #expect(try ws.vaultBytes() == before)
        #expect(!FileManager.default.fileExists(atPath: ws.path("out/second.report.json")))
        // No key at all for an existing vault: 77 too.
        let missing = try ws.run(
            ["tokenize", "--create-vault", "--kind", "card", "a.csv.gz", "--job-id", "third"], environment: ["TOKENVAULT_MASTER_KEY": ""])
        #expect(missing.status == 77)
    }

    @Test func standardInputSeveralFilesAndJSONLinesOutput() throws {
        let ws = try TestWorkspace()
        let a = TestCards.number(serial: 1), b = TestCards.number(serial: 2)
        let csv = TestCards.csv([("r1", a, "12/39"), ("r2", b, "12/39")])
        let fromStdin = try ws.run(
            ["tokenize", "--create-vault", "--kind", "card", "-", "--job-id", "stdin", "--output-format", "jsonl"],
            stdin: Data(GzipMember.compress(Array(csv.utf8))))
        #expect(fromStdin.status == 0, "\(fromStdin.stderr)")
        let lines = try ws.readText(ws.path("out/stdin.results.jsonl.gz")).split(separator: "\n")
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(first["row"] as? Int == 1)
        #expect(first["is_new_token"] as? Bool == true)
        #expect(first["status"] as? String == "new")

        try ws.writeGzip("x.csv.gz", TestCards.csv([("x1", a, "12/39")]))
        try ws.writePlain("y.csv", TestCards.csv([("y1", b, "12/39"), ("y2", a, "12/39")]))
        let several = try ws.run([
            "tokenize", "--create-vault", "--kind", "card", "x.csv.gz", "y.csv", "--job-id", "multi", "--vault", "m.db",
        ])
        #expect(several.status == 0)
        let rows = try ws.readCSV(ws.path("out/multi.results.csv.gz"))
        #expect(rows.map { "\($0["file"]!):\($0["row"]!):\($0["status"]!)" } == ["x.csv.gz:1:new", "y.csv:1:new", "y.csv:2:existing"])
        #expect(try ws.readReport("multi").inputs.map(\.rows) == [1, 2])
    }

    @Test(
        arguments: [
            (["tokenize", "--create-vault", "--kind", "card", "missing.csv.gz"], Int32(66)),
            (["tokenize", "--create-vault", "--kind", "card"], 64),
            (["tokenize", "--create-vault", "--kind", "cards", "a.csv.gz"], 64),
            (["tokenize", "--create-vault", "--kind", "card", "a.csv.gz", "--map", "pan=PAN"], 64),
            (["tokenize", "--create-vault", "--kind", "card", "a.csv.gz", "--max-reject-rate", "2"], 64),
            (["tokenize", "--create-vault", "--kind", "card", "a.csv.gz", "--job-id", "../escape"], 64),
            (["tokenize", "--create-vault", "--kind", "card", "noheader.csv.gz"], 65),
            (["tokenize", "--create-vault", "--kind", "card", "a.csv.gz", "--max-reject-rate", "0.1"], 65),
        ] as [([String], Int32)])
    func exitStatuses(arguments: [String], status: Int32) throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("a.csv.gz", TestCards.csv([("r1", TestCards.number(serial: 1), "12/39"), ("r2", "4111", "12/39")]))
        try ws.writeGzip("noheader.csv.gz", "r1,4111111111111111,12/39\n")
        let result = try ws.run(arguments)
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        if status == 64 || status == 66 {
            #expect(!FileManager.default.fileExists(atPath: ws.path("vault.db")), "a refused command creates no vault")
        }
    }
}
