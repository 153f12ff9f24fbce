import Foundation
import Testing

@testable import TokenVault

/// SPEC §8 on the real executable: the v2 layout (lookups in `fingerprints` and `tokens`, filled
/// at each commit) keeps §4's guarantees when a run spans many transactions and lands in a vault
/// that already holds part of its file, the nightly case.
@Suite struct VaultAtScaleEndToEndTests {
    /// A file of `rows` cards (15% repeats) and a "nightly" file: its first `rows / 2` data rows
    /// interleaved with as many cards from another seed, so half of it is in the vault after the first.
    func makeInputs(_ ws: TestWorkspace, rows: Int) throws {
        for (name, seed, count) in [("base.csv.gz", 61, rows), ("unseen.csv.gz", 62, rows / 2)] {
            #expect(
                try ws.run([
                    "sample", "--kind", "card", "--rows", "\(count)", "--seed", "\(seed)", "--repeat-percent", "15",
                    "--out", name,
                ]).status == 0)
        }
        let base = try ws.readText(ws.path("base.csv.gz")).split(separator: "\n", omittingEmptySubsequences: true)
        let unseen = try ws.readText(ws.path("unseen.csv.gz")).split(separator: "\n", omittingEmptySubsequences: true)
        var nightly = [base[0]]
        for (old, new) in zip(base.dropFirst().prefix(rows / 2), unseen.dropFirst()) { nightly += [old, new] }
        try ws.writeGzip("nightly.csv.gz", nightly.joined(separator: "\n") + "\n")
    }

    /// Every record has one row in `tokens`, every live one one in `fingerprints`, and each leads back to it.
    func expectLookupsComplete(_ ws: TestWorkspace, vault: String) throws {
        let records = try #require(try ws.vaultSQL("SELECT count(*) FROM instruments", vault: vault))
        #expect(records > 0)
        #expect(
            try ws.vaultSQL("SELECT count(*) FROM tokens t JOIN instruments i ON i.id = t.id AND i.token = t.token", vault: vault)
                == records)
        #expect(
            try ws.vaultSQL(
                """
                SELECT count(*) FROM fingerprints f JOIN instruments i ON i.id = f.id AND i.fingerprint = f.fingerprint
                """, vault: vault) == ws.vaultSQL("SELECT count(*) FROM instruments WHERE fingerprint IS NOT NULL", vault: vault))
        #expect(
            try ws.vaultSQL("SELECT count(*) FROM fingerprints", vault: vault)
                == ws.vaultSQL("SELECT count(*) FROM instruments WHERE fingerprint IS NOT NULL", vault: vault))
    }

    /// Repeats inside a batch, across batches and across transactions (`--commit-every 500`),
    /// then a second run into the grown vault: statuses and token sharing do not depend on the
    /// concurrency, and what the vault held before is existing.
    @Test func fileOrderDecidesAcrossTransactionsAndRunsUnderConcurrency1And4() throws {
        let ws = try TestWorkspace()
        try makeInputs(ws, rows: 6000)
        var patterns: [[String]] = []
        for concurrency in ["1", "4"] {
            let vault = "v\(concurrency).db", out = "out\(concurrency)"
            #expect(try ws.run(["init", "--vault", vault]).status == 0)
            for job in ["base", "nightly"] {
                let run = try ws.run([
                    "tokenize", "--kind", "card", "\(job).csv.gz", "--vault", vault, "--job-id", job, "--out", out,
                    "--concurrency", concurrency, "--batch-size", "97", "--commit-every", "500",
                ])
                #expect(run.status == 0, "\(run.stderr)")
                patterns.append(tokenSharingPattern(try ws.readCSV(ws.path("\(out)/\(job).results.csv.gz"))))
            }
            try expectLookupsComplete(ws, vault: vault)
        }
        #expect(patterns[0] == patterns[2], "the base run, concurrency 1 and 4")
        #expect(patterns[1] == patterns[3], "the nightly run, concurrency 1 and 4")
        #expect(patterns[0].count == 6000 && patterns[0].filter { $0.contains("|existing|") }.count > 500)

        // The nightly file's old rows are existing with the tokens the first run gave them.
        let base = try ws.readCSV(ws.path("out1/base.results.csv.gz"))
        let nightly = try ws.readCSV(ws.path("out1/nightly.results.csv.gz"))
        #expect(nightly.count == 6000)
        for index in stride(from: 0, to: 6000, by: 2) where nightly[index]["status"] != "rejected" {
            #expect(nightly[index]["status"] == "existing")
            #expect(nightly[index]["token"] == base[index / 2]["token"])
        }
        let report = try ws.readReport("nightly", out: "out1")
        #expect(report.vault.tokensAfter - report.vault.tokensBefore == report.counts.new)
        #expect(report.counts.new > 2000 && report.counts.existing > 3000)
    }

    /// The nightly run into a vault that holds half its file, killed once some of its
    /// transactions are committed and resumed under its job id: the same results as a run that
    /// was not killed, each card once in the vault, and the lookups whole.
    @Test func aKilledNightlyRunResumesWithTheResultsOfAnUninterruptedOne() throws {
        let ws = try TestWorkspace()
        try makeInputs(ws, rows: 40000)
        let tuning = [
            "--kind", "card", "nightly.csv.gz", "--job-id", "N", "--batch-size", "250", "--commit-every", "1000", "--concurrency", "2",
        ]
        var before: [String: Int] = [:]
        for vault in ["clean.db", "crash.db"] {
            #expect(try ws.run(["init", "--vault", vault]).status == 0)
            #expect(
                try ws.run([
                    "tokenize", "--kind", "card", "base.csv.gz", "--vault", vault, "--job-id", "B", "--out", "base-" + vault.prefix(5),
                ]).status == 0)
            before[vault] = ws.liveTokens(vault: vault)
        }
        #expect(try ws.run(["tokenize", "--vault", "clean.db", "--out", "clean"] + tuning).status == 0)

        let running = try ws.start(["tokenize", "--vault", "crash.db", "--out", "crash"] + tuning)
        #expect(ws.waitUntil(running) { (ws.liveTokens(vault: "crash.db") ?? 0) > before["crash.db"]! })
        running.kill()
        let killed = running.wait()
        #expect(killed.status != 0, "killed before it finished")
        #expect(!FileManager.default.fileExists(atPath: ws.path("crash/N.results.csv.gz")))

        let resumed = try ws.run(["tokenize", "--vault", "crash.db", "--out", "crash"] + tuning)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let expected = tokenSharingPattern(try ws.readCSV(ws.path("clean/N.results.csv.gz")))
        #expect(expected.count == 40000)
        #expect(tokenSharingPattern(try ws.readCSV(ws.path("crash/N.results.csv.gz"))) == expected)
        let clean = try ws.readReport("N", out: "clean"), crash = try ws.readReport("N", out: "crash")
        #expect(crash.counts == clean.counts)
        #expect(crash.vault.tokensAfter == clean.vault.tokensAfter, "each card is held once")
        for vault in ["clean.db", "crash.db"] { try expectLookupsComplete(ws, vault: vault) }
        #expect(try ws.run(["report", "--vault", "crash.db"]).stdout.contains("Reconciles: yes."))
    }

    /// Format-preserving tokens that collide across transactions (few tokens per BIN and last 4,
    /// a commit every 16 rows) are redrawn against the committed ones too: all unique.
    @Test func formatPreservingTokensStayUniqueAcrossTransactions() throws {
        let ws = try TestWorkspace()
        #expect(try ws.run(["init", "--token-format", "format-preserving"]).status == 0)
        let cards = FormatPreservingTokensEndToEndTests.crowdedCards()
        try ws.writeGzip("cards.csv.gz", TestCards.csv(cards.enumerated().map { ("r\($0.offset)", $0.element, "12/39") }))
        let run = try ws.run(["tokenize", "--kind", "card", "cards.csv.gz", "--job-id", "fp", "--batch-size", "8", "--commit-every", "16"])
        #expect(run.status == 0, "\(run.stderr)")
        let tokens = try ws.readCSV(ws.path("out/fp.results.csv.gz")).compactMap { $0["token"] }
        #expect(tokens.count == cards.count && Set(tokens).count == cards.count)
        #expect(zip(cards, tokens).allSatisfy { $0.prefix(6) == $1.prefix(6) && $0.suffix(4) == $1.suffix(4) })
        try expectLookupsComplete(ws, vault: "vault.db")
        #expect(try ws.run(["detokenize", "--input", "out/fp.results.csv.gz", "--out", "back.csv"]).status == 0)
        #expect(try ws.readCSV(ws.path("back.csv")).map { $0["card_number"]! } == cards)
    }

    /// `vault copy` into a new SQLite file fills its lookup tables: the copy dedups and
    /// detokenizes like its source, tombstones included.
    @Test func aCopiedVaultHasItsLookupsFilled() throws {
        let ws = try TestWorkspace()
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "3000", "--seed", "63", "--out", "s.csv.gz"]).status == 0)
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "s.csv.gz", "--job-id", "t"]).status == 0)
        var seen = Set<String>()
        let tokens = try ws.readCSV(ws.path("out/t.results.csv.gz")).compactMap { $0["token"] }.filter {
            !$0.isEmpty && seen.insert($0).inserted
        }
        try ws.writePlain("del.csv", "token\n" + tokens.prefix(10).joined(separator: "\n") + "\n")
        #expect(try ws.run(["delete", "--input", "del.csv", "--reason", "other"]).status == 0)
        let copy = try ws.run(["vault", "copy", "--from", "vault.db", "--to", "copy.db", "--chunk", "700"])
        #expect(copy.status == 0, "\(copy.stdout)\(copy.stderr)")
        try expectLookupsComplete(ws, vault: "copy.db")
        #expect(
            try ws.vaultSQL("SELECT count(*) FROM fingerprints", vault: "copy.db")
                == ws.vaultSQL("SELECT count(*) FROM instruments", vault: "copy.db").map { $0 - 10 })

        #expect(try ws.run(["detokenize", "--input", "out/t.results.csv.gz", "--out", "source.csv"]).status == 0)
        #expect(try ws.run(["detokenize", "--vault", "copy.db", "--input", "out/t.results.csv.gz", "--out", "copy.csv"]).status == 0)
        #expect(try ws.readText(ws.path("copy.csv")) == ws.readText(ws.path("source.csv")))
        let again = try ws.run(["tokenize", "--kind", "card", "s.csv.gz", "--vault", "copy.db", "--job-id", "again", "--out", "copy-out"])
        #expect(again.status == 0, "\(again.stderr)")
        let report = try ws.readReport("again", out: "copy-out")
        #expect(report.counts.new == 10, "only the deleted cards are new again")
    }
}
