import Foundation
import Testing

@testable import TokenVault

/// SPEC §4's guarantees, shown for both kinds on sample files made by the real executable.
@Suite struct GuaranteesEndToEndTests {
    /// Writes a CSV sample and returns its sensitive numbers: card numbers, or IBANs and account
    /// numbers, read from the sample's JSON Lines twin (same seed, same rows), which parses line by line.
    func makeSample(_ ws: TestWorkspace, kind: InstrumentKind, rows: Int, seed: Int, name: String) throws -> Set<String> {
        for file in [name, "twin.jsonl.gz"] {
            let r = try ws.run(["sample", "--kind", kind.rawValue, "--rows", "\(rows)", "--seed", "\(seed)", "--out", file])
            #expect(r.status == 0)
        }
        let text = try ws.readText(ws.path("twin.jsonl.gz"))
        return kind == .card ? cardNumbers(inInput: text) : bankNumbers(inInput: text, format: .jsonl)
    }

    @Test(arguments: InstrumentKind.allCases, VaultKind.tested)
    func concurrencyChangesNeitherStatusesNorTokenSharing(kind: InstrumentKind, vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        #expect(
            try ws.run(["sample", "--kind", kind.rawValue, "--rows", "6000", "--seed", "11", "--repeat-percent", "15", "--out", "c.csv.gz"])
                .status == 0)
        var patterns: [[String]] = []
        for concurrency in ["1", "4"] {
            let r = try ws.run([
                "tokenize", "--create-vault", "--kind", kind.rawValue, "c.csv.gz", "--vault", "v\(concurrency).db", "--job-id", "j",
                "--out", "out\(concurrency)", "--concurrency", concurrency, "--batch-size", "97",
            ])
            #expect(r.status == 0, "\(r.stderr)")
            patterns.append(tokenSharingPattern(try ws.readCSV(ws.path("out\(concurrency)/j.results.csv.gz"))))
        }
        #expect(patterns[0].count == 6000)
        #expect(patterns[0].filter { $0.contains("|existing|") }.count > 500)
        #expect(patterns[0] == patterns[1])
    }

    @Test(arguments: InstrumentKind.allCases, VaultKind.tested)
    func killedRunResumedUnderItsJobIDMatchesAnUninterruptedRun(kind: InstrumentKind, vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        let numbers = try makeSample(ws, kind: kind, rows: 60000, seed: 5, name: "big.csv.gz")
        let tuning = [
            "--kind", kind.rawValue, "big.csv.gz", "--job-id", "J", "--batch-size", "500", "--commit-every", "2000", "--concurrency", "2",
        ]
        let clean = try ws.run(["tokenize", "--create-vault", "--vault", "clean.db", "--out", "clean"] + tuning)
        #expect(clean.status == 0)

        let running = try ws.start(["tokenize", "--create-vault", "--vault", "crash.db", "--out", "crash"] + tuning)
        // Kill once some batches are committed and more are in flight.
        let deadline = Date().addingTimeInterval(60)
        var committed = 0
        while Date() < deadline && running.process.isRunning {
            if let count = ws.liveTokens(vault: "crash.db") {
                committed = count
                if count > 0 { break }
            }
            usleep(20_000)
        }
        running.kill()
        let killed = running.wait()
        #expect(committed > 0, "the run should have committed something before the kill")
        #expect(killed.status != 0)
        #expect(!FileManager.default.fileExists(atPath: ws.path("crash/J.results.csv.gz")), "no complete-looking results after a crash")

        // Nothing in clear in the vault or its WAL at the moment of the crash.
        #expect(numbers.count > 40_000)
        #expect(leakedNumbers(in: try ws.vaultBytes("crash.db"), numbers: numbers).isEmpty)

        let resumed = try ws.run(["tokenize", "--create-vault", "--vault", "crash.db", "--out", "crash"] + tuning)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let expected = tokenSharingPattern(try ws.readCSV(ws.path("clean/J.results.csv.gz")))
        let actual = tokenSharingPattern(try ws.readCSV(ws.path("crash/J.results.csv.gz")))
        #expect(actual.count == 60000)
        #expect(actual == expected)
        let cleanReport = try ws.readReport("J", out: "clean"), crashReport = try ws.readReport("J", out: "crash")
        #expect(crashReport.counts == cleanReport.counts)
        #expect(crashReport.vault.tokensAfter == cleanReport.vault.tokensAfter, "each instrument is held once")
        #expect(crashReport.vault.tokensAfter - crashReport.vault.tokensBefore == crashReport.counts.new)
        let distinct = try ws.vaultSQL("SELECT count(*) FROM instruments", vault: "crash.db")
        #expect(distinct == Int64(cleanReport.counts.new))
    }

    @Test(arguments: InstrumentKind.allCases, VaultKind.tested)
    func noSensitiveNumberInAnyOutputLogOrTheVault(kind: InstrumentKind, vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        let numbers = try makeSample(ws, kind: kind, rows: 2000, seed: 9, name: "s.csv.gz")
        #expect(numbers.count > 1500)
        var everything: [UInt8] = []
        for (job, extra) in [("csv", [String]()), ("json", ["--output-format", "jsonl", "--log-format", "json", "--progress"])] {
            // SQLite: no key given, so a key file is made beside the vault (a server has none).
            let r = try ws.run(
                ["tokenize", "--create-vault", "--kind", kind.rawValue, "s.csv.gz", "--job-id", job] + extra,
                environment: vault == .sqlite ? ["TOKENVAULT_MASTER_KEY": ""] : nil)
            #expect(r.status == 0)
            everything += Array(r.stdout.utf8) + Array(r.stderr.utf8)
        }
        for file in try FileManager.default.contentsOfDirectory(atPath: ws.path("out")) {
            everything += Array(try ws.readText(ws.path("out/\(file)")).utf8)
        }
        // The whole database: the SQLite file and WAL, or a pg_dump of every table.
        everything += try ws.vaultBytes()
        #expect(leakedNumbers(in: everything, numbers: numbers).isEmpty)
        for file in ["vault.db", "vault.db.key"] where vault == .sqlite {
            #expect(try FileManager.default.attributesOfItem(atPath: ws.path(file))[.posixPermissions] as? Int == 0o600)
        }
    }

    @Test(arguments: InstrumentKind.allCases, VaultKind.tested)
    func jsonLinesInputGivesTheSameResultsAsCSV(kind: InstrumentKind, vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        for format in ["csv", "jsonl"] {
            #expect(
                try ws.run(["sample", "--kind", kind.rawValue, "--rows", "2500", "--seed", "21", "--out", "s.\(format).gz"]).status == 0)
            #expect(
                try ws.run([
                    "tokenize", "--create-vault", "--kind", kind.rawValue, "s.\(format).gz", "--vault", "\(format).db", "--job-id", format,
                ]).status == 0)
        }
        #expect(
            tokenSharingPattern(try ws.readCSV(ws.path("out/csv.results.csv.gz")))
                == tokenSharingPattern(try ws.readCSV(ws.path("out/jsonl.results.csv.gz"))))
        let errors = { (job: String) in
            try ws.readCSV(ws.path("out/\(job).errors.csv.gz")).map { "\($0["row"]!) \($0["code"]!) \($0["property_name"]!)" }
        }
        let csvErrors = try errors("csv"), jsonErrors = try errors("jsonl")
        #expect(csvErrors.count > 40)
        // Unreadable rows differ in how they are broken (a quote or JSON), not in where.
        #expect(csvErrors == jsonErrors)
    }
}
