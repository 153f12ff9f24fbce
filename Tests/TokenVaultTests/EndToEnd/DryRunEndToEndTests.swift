import Foundation
import Testing

@testable import TokenVault

/// `--dry-run` on the real executable (SPEC §11): predictions equal the next real run's
/// statuses and tokens, and the vault's instruments and runs are left as they were.
@Suite struct DryRunEndToEndTests {
    static func card(_ i: Int) -> String { TestCards.number(serial: 4000 + i) }

    /// Cards 1–3 go in first; the second file mixes them with new cards, repeats and rejects.
    static let second = TestCards.csv([
        ("a", card(1), "12/39"), ("b", card(10), "12/39"), ("c", "4111111111111112", "12/39"),
        ("d", card(10), "11/39"), ("e", card(2), "12/39"), ("f", card(11), "12/39"), ("g", card(11), "12/39"),
        ("h", card(12), "01/20"),
    ])

    @Test(arguments: ["1", "4096"])
    func predictionsEqualTheRealRunAndTheVaultIsUnchanged(batchSize: String) throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("first.csv.gz", TestCards.csv((1...3).map { ("p\($0)", Self.card($0), "12/39") }))
        try ws.writeGzip("second.csv.gz", Self.second)
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "first.csv.gz", "--job-id", "first"]).status == 0)
        let firstTokens = try ws.readCSV(ws.path("out/first.results.csv.gz")).map { $0["token"]! }
        let before = try ws.instrumentSnapshot(vault: "vault.db")

        let dry = try ws.run([
            "tokenize", "--create-vault", "--kind", "card", "second.csv.gz", "--job-id", "dry", "--dry-run", "--batch-size", batchSize,
        ])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.hasPrefix("Dry run, nothing written:"))
        #expect(try ws.instrumentSnapshot(vault: "vault.db") == before)
        let report = try ws.readReport("dry")
        #expect(report.status == .dryRun)
        #expect(report.counts.new == 2 && report.counts.existing == 4 && report.counts.rejected == 2)
        #expect(report.vault.tokensBefore == 3 && report.vault.tokensAfter == 3)
        let predicted = try ws.readCSV(ws.path("out/dry.results.csv.gz"))
        #expect(predicted.map { $0["status"]! } == ["existing", "new", "rejected", "existing", "existing", "new", "existing", "rejected"])
        // Existing instruments carry their vault token; new ones and their repeats carry none.
        #expect(predicted[0]["token"] == firstTokens[0] && predicted[4]["token"] == firstTokens[1])
        #expect(predicted.filter { ["b", "d", "f", "g"].contains($0["reference"]!) }.allSatisfy { $0["token"] == "" })
        #expect(predicted.map { $0["is_new_token"]! } == ["false", "true", "", "false", "false", "true", "false", ""])

        let real = try ws.run([
            "tokenize", "--create-vault", "--kind", "card", "second.csv.gz", "--job-id", "real", "--batch-size", batchSize,
        ])
        #expect(real.status == 0, "\(real.stderr)")
        let actual = try ws.readCSV(ws.path("out/real.results.csv.gz"))
        #expect(actual.map { $0["status"]! } == predicted.map { $0["status"]! })
        #expect(actual.map { $0["is_new_token"]! } == predicted.map { $0["is_new_token"]! })
        for (p, a) in zip(predicted, actual) where p["token"] != "" { #expect(p["token"] == a["token"]) }
        #expect(try ws.readText(ws.path("out/real.errors.csv.gz")) == ws.readText(ws.path("out/dry.errors.csv.gz")))
        let realReport = try ws.readReport("real")
        #expect(realReport.counts == report.counts)
    }

    @Test func aDryRunIsNotARunAndTakesNoRunsJobID() throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("cards.csv.gz", Self.second)
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "cards.csv.gz", "--job-id", "taken"]).status == 0)
        let reused = try ws.run(["tokenize", "--create-vault", "--kind", "card", "cards.csv.gz", "--job-id", "taken", "--dry-run"])
        #expect(reused.status == 64 && reused.stderr.contains("belongs to a run"))
        #expect(try ws.readReport("taken").status == .completed)
        // The vault records no run for a dry run, only an audit line.
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "cards.csv.gz", "--job-id", "look", "--dry-run"]).status == 0)
        let runs = try ws.run(["report", "--vault", "vault.db", "--format", "json"])
        #expect(!runs.stdout.contains("\"look\"") && runs.stdout.contains("taken"))
        let audit = try ws.run(["audit", "--vault", "vault.db"])
        #expect(audit.stdout.contains("look") && audit.stdout.contains("dry-run"))
    }

    @Test func aDryRunJobLeavesTheFileForTheRealRun() throws {
        let ws = try TestWorkspace()
        try FileManager.default.createDirectory(atPath: ws.path("jobs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: ws.path("incoming"), withIntermediateDirectories: true)
        func job(dryRun: Bool) throws {
            try ws.writePlain(
                "jobs/migrate.json",
                """
                { "name": "migrate", "kind": "card", "inputs": ["incoming/*.csv.gz"], "vault": "vault.db", "create_vault": true,
                  "dry_run": \(dryRun), "archive_dir": "processed", "policy": { "max_reject_rate": 0.5 } }
                """)
        }
        try ws.writeGzip("incoming/export.csv.gz", Self.second)
        #expect(
            try ws.run(["tokenize", "--create-vault", "--kind", "card", "incoming/export.csv.gz", "--job-id", "seed", "--dry-run"]).status
                == 0)
        try job(dryRun: true)
        let dry = try ws.run(["run", "jobs/migrate.json"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("Dry run"))
        #expect(FileManager.default.fileExists(atPath: ws.path("incoming/export.csv.gz")))
        #expect(ws.liveTokens(vault: ws.path("vault.db")) == 0)
        try job(dryRun: false)
        let real = try ws.run(["run", "jobs/migrate.json"])
        #expect(real.status == 0, "\(real.stderr)")
        #expect(!real.stdout.contains("Skipped"))
        #expect(ws.liveTokens(vault: ws.path("vault.db")) == 4)
        #expect(FileManager.default.fileExists(atPath: ws.path("processed/export.csv.gz")))
    }
}
