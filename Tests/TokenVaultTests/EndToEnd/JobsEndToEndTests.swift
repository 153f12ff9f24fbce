import Foundation
import Testing

@testable import TokenVault

/// `tokenvault run`, `report` and `verify` on real files (issue 4, SPEC §7).
@Suite struct JobsEndToEndTests {
    /// A project root with jobs/ and incoming/, as the job file's relative paths expect.
    func project(
        policy: String = #"{ "max_reject_rate": 0.5 }"#, archive: Bool = false, extra: String = "",
        vault: VaultKind = .sqlite
    ) throws -> TestWorkspace {
        let ws = try TestWorkspace(vault: vault)
        try FileManager.default.createDirectory(atPath: ws.path("jobs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: ws.path("incoming"), withIntermediateDirectories: true)
        try ws.writePlain(
            "jobs/nightly.json",
            """
            {
              "name": "nightly",
              "kind": "card",
              "inputs": ["incoming/*.csv.gz"],
              "vault": "\(try ws.vault("vault.db"))",
              "create_vault": true,
              "output": { "dir": "out/nightly", "format": "csv" },
              "policy": \(policy)\(archive ? #", "archive_dir": "processed""# : "")\(extra)
            }
            """)
        return ws
    }

    func cards(_ serials: ClosedRange<Int>) -> String {
        TestCards.csv(serials.map { ("r\($0)", TestCards.number(serial: $0), "12/39") })
    }

    static var today: String { String(Timestamp.compact(Date()).prefix(8)) }

    @Test(arguments: VaultKind.tested)
    func rerunSkipsProcessedFilesAndANewFileIsTheOnlyOneProcessed(vault: VaultKind) throws {
        let ws = try project(vault: vault)
        try ws.writeGzip("incoming/a.csv.gz", cards(1...300))
        let first = try ws.run(["run", "jobs/nightly.json", "--log-format", "json"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Job nightly-\(Self.today)-1:"))
        let events = first.stderr.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let processed = try #require(events.first { $0["event"] as? String == "file processed" })
        #expect(processed["job_id"] as? String == "nightly-\(Self.today)-1")
        #expect(processed["new"] as? Int == 300)
        #expect(processed["time"] != nil && processed["level"] as? String == "info")

        let second = try ws.run(["run", "jobs/nightly.json"])
        #expect(second.status == 0)
        #expect(second.stdout.contains("Skipped"))
        #expect(!second.stdout.contains("Job nightly-"))

        // A new file with repeats of the first: only it is processed.
        try ws.writeGzip("incoming/b.csv.gz", cards(251...400))
        let third = try ws.run(["run", "jobs/nightly.json"])
        #expect(third.status == 0)
        #expect(third.stdout.split(separator: "\n").contains { $0.hasPrefix("Skipped ") && $0.contains("incoming/a.csv.gz") })
        #expect(third.stdout.contains("Job nightly-\(Self.today)-2: 150 card rows"))
        let report = try ws.readReport("nightly-\(Self.today)-2", out: "out/nightly")
        #expect(report.counts.new == 100 && report.counts.existing == 50)

        // --force reprocesses, under a new job id, everything existing.
        let forced = try ws.run(["run", "jobs/nightly.json", "--force"])
        #expect(forced.status == 0)
        #expect(try ws.readReport("nightly-\(Self.today)-4", out: "out/nightly").counts.existing == 150)

        // The report reconciles over every run, from the vault's records.
        let ledger = try ws.run(["report", "--vault", "vault.db", "--format", "json"])
        #expect(ledger.status == 0, "\(ledger.stdout)")
        let document = try JSONSerialization.jsonObject(with: Data(ledger.stdout.utf8)) as! [String: Any]
        #expect(document["reconciles"] as? Bool == true)
        let totals = document["totals"] as! [String: Any]
        #expect(totals["runs"] as? Int == 4)
        #expect(totals["new"] as? Int == 400 && totals["tokens_created"] as? Int == 400)
        #expect(totals["rows"] as? Int == 900)
        #expect((document["vault"] as! [String: Any])["live_tokens"] as? Int == 400)
        let one = try ws.run(["report", "nightly-\(Self.today)-2", "--vault", "vault.db", "--format", "csv"])
        #expect(one.status == 0)
        #expect(one.stdout.split(separator: "\n").count == 2)
        let text = try ws.run(["report", "--vault", "vault.db", "--since", "2000-01-01"])
        #expect(text.stdout.contains("Reconciles: yes."))
    }

    @Test func processedFilesAreArchivedAndRecognisedByContent() throws {
        let ws = try project(archive: true)
        try ws.writeGzip("incoming/a.csv.gz", cards(1...10))
        #expect(try ws.run(["run", "jobs/nightly.json"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: ws.path("incoming/a.csv.gz")))
        #expect(FileManager.default.fileExists(atPath: ws.path("processed/a.csv.gz")))
        // The same content under another name is not processed twice.
        try FileManager.default.copyItem(atPath: ws.path("processed/a.csv.gz"), toPath: ws.path("incoming/again.csv.gz"))
        let again = try ws.run(["run", "jobs/nightly.json"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("Skipped"))
        #expect(FileManager.default.fileExists(atPath: ws.path("incoming/again.csv.gz")), "a skipped file is not moved")
    }

    @Test func aSecondConcurrentRunExits75AtOnce() throws {
        let ws = try project()
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "80000", "--seed", "8", "--out", "incoming/big.csv.gz"]).status == 0)
        let first = try ws.start(["run", "jobs/nightly.json"])
        let lockPath = ws.path("vault.db.job-nightly.lock")
        // Wait until the first run holds the lock.
        var held = false
        let deadline = Date().addingTimeInterval(30)
        while !held && Date() < deadline && first.process.isRunning {
            let fd = open(lockPath, O_RDONLY)
            if fd >= 0 {
                held = flock(fd, LOCK_EX | LOCK_NB) != 0
                close(fd)
            }
            if !held { usleep(10_000) }
        }
        #expect(held)
        let second = try ws.run(["run", "jobs/nightly.json"])
        #expect(second.status == 75, "\(second.stderr)")
        #expect(second.stderr.contains("already running"))
        // "At once": it did not wait for the lock, so the first run still holds it.
        #expect(first.process.isRunning)
        #expect(first.wait().status == 0)
    }

    @Test(arguments: VaultKind.tested)
    func aRunKilledMidwayIsResumedByTheNextRunWithIdenticalResults(vault: VaultKind) throws {
        let clean = try project(vault: vault), crashed = try project(vault: vault)
        for ws in [clean, crashed] {
            #expect(try ws.run(["sample", "--kind", "card", "--rows", "60000", "--seed", "6", "--out", "incoming/big.csv.gz"]).status == 0)
        }
        let id = "nightly-\(Self.today)-1"
        let tuning = ["--concurrency", "2", "--commit-every", "2000"]
        #expect(try clean.run(["run", "jobs/nightly.json"] + tuning).status == 0)

        let running = try crashed.start(["run", "jobs/nightly.json"] + tuning)
        // Kill once the run has committed tokens, which the resumed run must still report new.
        let deadline = Date().addingTimeInterval(60)
        var committed = 0
        while Date() < deadline && running.process.isRunning {
            if let count = crashed.liveTokens(), count > 0 {
                committed = count
                break
            }
            usleep(10_000)
        }
        running.kill()
        #expect(committed > 0)
        #expect(running.wait().status != 0)
        #expect(!FileManager.default.fileExists(atPath: crashed.path("out/nightly/\(id).report.json")))

        let resumed = try crashed.run(["run", "jobs/nightly.json"] + tuning)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("Resumed: Job \(id)"))
        let expected = tokenSharingPattern(try clean.readCSV(clean.path("out/nightly/\(id).results.csv.gz")))
        let actual = tokenSharingPattern(try crashed.readCSV(crashed.path("out/nightly/\(id).results.csv.gz")))
        #expect(actual.count == 60000 && actual == expected)
        #expect(try crashed.readReport(id, out: "out/nightly").counts == clean.readReport(id, out: "out/nightly").counts)
        // And once done, the file counts as processed.
        #expect(try crashed.run(["run", "jobs/nightly.json"]).stdout.contains("Skipped"))
        #expect(try crashed.run(["report", "--vault", "vault.db"]).status == 0)
    }

    @Test(arguments: VaultKind.tested)
    func rejectRateAboveThePolicyFailsThatFileOnly(vault: VaultKind) throws {
        let ws = try project(policy: #"{ "max_reject_rate": 0.01 }"#, archive: true, vault: vault)
        try ws.writeGzip("incoming/a-bad.csv.gz", cards(1...90) + (1...10).map { "x\($0),4111111111111112,12/39,Bad Luhn\n" }.joined())
        try ws.writeGzip("incoming/b-good.csv.gz", cards(100...150))
        let result = try ws.run(["run", "jobs/nightly.json"])
        #expect(result.status == 65)
        #expect(result.stdout.contains("FAILED"))
        let failed = try ws.readReport("nightly-\(Self.today)-1", out: "out/nightly")
        #expect(failed.status == .failed)
        #expect(failed.failure?.contains("10 of 100 rows rejected") == true)
        #expect(failed.counts.new == 90, "accepted rows stay committed")
        #expect(FileManager.default.fileExists(atPath: ws.path("incoming/a-bad.csv.gz")), "a failed file is not archived")
        #expect(try ws.readReport("nightly-\(Self.today)-2", out: "out/nightly").status == .completed)
        #expect(FileManager.default.fileExists(atPath: ws.path("processed/b-good.csv.gz")))
        #expect(try ws.run(["report", "--vault", "vault.db"]).status == 0, "a failed run reconciles too")
    }

    @Test(arguments: [
        (#", "archve_dir": "processed""#, "unknown key 'archve_dir'"),
        (#", "output2": {}"#, "unknown key 'output2'"),
    ])
    func aTypoInAJobFileIsRefusedByName(extra: String, message: String) throws {
        let ws = try project(extra: extra)
        let result = try ws.run(["run", "jobs/nightly.json"])
        #expect(result.status == 64)
        #expect(result.stderr.contains(message))
        #expect(result.stderr.contains("jobs/nightly.json"))
    }

    @Test func typosInsideSectionsAndBadValuesAreRefused() throws {
        for (policy, message) in [
            (#"{ "max_reject_rte": 0.1 }"#, "unknown key 'policy.max_reject_rte'"),
            (#"{ "max_reject_rate": 2 }"#, "'policy.max_reject_rate' must be a number from 0 to 1"),
            (#"{ "allow_expired": 1 }"#, "'policy.allow_expired' must be true or false"),
        ] {
            let ws = try project(policy: policy)
            let result = try ws.run(["run", "jobs/nightly.json"])
            #expect(result.status == 64)
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
    }

    @Test(arguments: VaultKind.tested)
    func verifyPassesHonestResultsAndCatchesTampering(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "500", "--seed", "12", "--out", "in.csv.gz"]).status == 0)
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz", "--job-id", "v"]).status == 0)
        let honest = try ws.run(["verify", "--kind", "card", "--input", "in.csv.gz", "--results", "out/v.results.csv.gz"])
        #expect(honest.status == 0, "\(honest.stdout)")
        #expect(honest.stdout.contains("0 mismatches"))

        let original = try ws.readText(ws.path("out/v.results.csv.gz"))
        let lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let rows = try ws.readCSV(ws.path("out/v.results.csv.gz"))
        let newRows = rows.indices.filter { rows[$0]["status"] == "new" }
        let rejected = rows.indices.first { rows[$0]["status"] == "rejected" }!
        func tampered(_ name: String, _ edit: (inout [String]) -> Void) throws -> RunResult {
            var copy = lines
            edit(&copy)
            try ws.writeGzip(name, copy.joined(separator: "\n"))
            return try ws.run(["verify", "--kind", "card", "--input", "in.csv.gz", "--results", name])
        }
        // Two tokens swapped.
        let (a, b) = (newRows[0], newRows[1])
        let swapped = try tampered("swapped.csv.gz") { copy in
            let ta = rows[a]["token"]!, tb = rows[b]["token"]!
            copy[a + 1] = copy[a + 1].replacingOccurrences(of: ta, with: tb)
            copy[b + 1] = copy[b + 1].replacingOccurrences(of: tb, with: ta)
        }
        #expect(swapped.status == 1)
        #expect(swapped.stdout.contains("row \(a + 1) (") && swapped.stdout.contains("row \(b + 1) ("))
        #expect(swapped.stdout.contains("2 mismatches"))
        // One row missing.
        let missing = try tampered("missing.csv.gz") { copy in copy.remove(at: newRows[2] + 1) }
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("row \(newRows[2] + 1)") && missing.stdout.contains("missing"))
        // A rejected row given a token.
        let given = try tampered("given.csv.gz") { copy in
            copy[rejected + 1] = copy[rejected + 1].replacingOccurrences(of: ",rejected,,", with: ",rejected,\(rows[a]["token"]!),")
        }
        #expect(given.status == 1)
        #expect(given.stdout.contains("row \(rejected + 1)"))
        // Nothing sensitive in what verify prints.
        let numbers = cardNumbers(inInput: try ws.readText(ws.path("in.csv.gz")))
        #expect(leakedNumbers(in: Array((swapped.stdout + swapped.stderr + given.stdout).utf8), numbers: numbers).isEmpty)
    }

    @Test(arguments: VaultKind.tested)
    func verifyProvesBankAccountResultsToo(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        #expect(try ws.run(["sample", "--kind", "bank-account", "--rows", "800", "--seed", "13", "--out", "in.jsonl.gz"]).status == 0)
        #expect(
            try ws.run(["tokenize", "--create-vault", "--kind", "bank-account", "in.jsonl.gz", "--job-id", "b", "--output-format", "jsonl"])
                .status == 0)
        let honest = try ws.run(["verify", "--kind", "bank-account", "--input", "in.jsonl.gz", "--results", "out/b.results.jsonl.gz"])
        #expect(honest.status == 0, "\(honest.stdout)")
        #expect(honest.stdout.contains("0 mismatches"))
        // Drop one result line: caught.
        let lines = try ws.readText(ws.path("out/b.results.jsonl.gz")).split(separator: "\n").map(String.init)
        try ws.writeGzip("cut.results.jsonl.gz", (lines.prefix(10) + lines.dropFirst(11)).joined(separator: "\n") + "\n")
        let cut = try ws.run(["verify", "--kind", "bank-account", "--input", "in.jsonl.gz", "--results", "cut.results.jsonl.gz"])
        #expect(cut.status == 1)
        #expect(cut.stdout.contains("row 11") && cut.stdout.contains("missing"))
    }

    @Test(arguments: VaultKind.tested)
    func aVaultThatLostATokenDoesNotReconcile(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        try ws.writeGzip("in.csv.gz", cards(1...20))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz", "--job-id", "t"]).status == 0)
        #expect(try ws.run(["report"]).status == 0)
        // Simulate damage: a record vanishes behind the tool's back.
        try ws.vaultSQL("DELETE FROM instruments WHERE id = 1")
        let report = try ws.run(["report"])
        #expect(report.status == 1)
        #expect(report.stdout.contains("NO: reports 20 new, the vault holds 19 tokens created by it"))
        #expect(report.stdout.contains("Reconciles: NO."))
    }
}
