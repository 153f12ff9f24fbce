import Foundation
import Testing

@testable import TokenVault

/// The vault tells the truth or fails loudly (issue 11): a fingerprint bound to its record, a
/// vault file deleted mid-run, a full vault disk, and `verify` checking every column it can.
@Suite struct VaultIntegrityEndToEndTests {
    func twoCards(_ ws: TestWorkspace) throws -> (a: String, b: String) {
        let a = TestCards.number(serial: 11), b = TestCards.number(prefix: "5", serial: 22)
        try ws.writeGzip("ab.csv.gz", TestCards.csv([("ra", a, "12/39"), ("rb", b, "11/38")]))
        try ws.writeGzip("a.csv.gz", TestCards.csv([("ra", a, "12/39")]))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "ab.csv.gz", "--job-id", "t1"]).status == 0)
        return (a, b)
    }

    @Test func aSwappedFingerprintFailsTokenizeAndVerifyNamingTheToken() throws {
        let ws = try TestWorkspace()
        let (a, b) = try twoCards(ws)
        let first = try ws.readCSV(ws.path("out/t1.results.csv.gz"))
        let tokenA = try #require(first.first?["token"]), tokenB = try #require(first.last?["token"])

        let db = try SQLiteConnection(path: ws.path("vault.db"), create: false)
        try db.execute(
            """
            CREATE TEMP TABLE saved AS SELECT created_row, fingerprint_prefix, fingerprint FROM instruments;
            UPDATE instruments SET fingerprint_prefix = 0, fingerprint = x'00' WHERE created_row = 1;
            UPDATE instruments SET (fingerprint_prefix, fingerprint) = (SELECT fingerprint_prefix, fingerprint FROM saved WHERE created_row = 1) WHERE created_row = 2;
            UPDATE instruments SET (fingerprint_prefix, fingerprint) = (SELECT fingerprint_prefix, fingerprint FROM saved WHERE created_row = 2) WHERE created_row = 1;
            UPDATE fingerprints SET id = (SELECT i.id FROM instruments i
                WHERE i.fingerprint_prefix = fingerprints.fingerprint_prefix AND i.fingerprint = fingerprints.fingerprint);
            """)
        // Schema v2 looks fingerprints up in their own table: it now leads A's fingerprint to B's record.
        #expect(
            try db.integer(
                """
                SELECT count(*) FROM fingerprints f JOIN instruments i ON i.id = f.id
                WHERE i.created_row = 2 AND f.fingerprint = (SELECT fingerprint FROM saved WHERE created_row = 1)
                """) == 1)

        // Card A now matches B's record: tokenize must not report B's token for it.
        let again = try ws.run(["tokenize", "--kind", "card", "a.csv.gz", "--job-id", "t2"])
        #expect(again.status == 70, "\(again.stderr)")
        #expect(again.stderr.contains(tokenB), "names the token")
        #expect(!(again.stdout + again.stderr).contains(a) && !(again.stdout + again.stderr).contains(b), "never a number")
        let written = try ws.readCompleteLines(ws.path("out/t2.results.csv.gz.part"))
        #expect(!written.joined().contains(tokenB), "no result line names the wrong token")
        #expect(!FileManager.default.fileExists(atPath: ws.path("out/t2.results.csv.gz")))

        // What the old tokenize wrote after the swap (A → B's token, B → A's) passed verify.
        let text = try ws.readText(ws.path("out/t1.results.csv.gz"))
        try ws.writeGzip(
            "swapped.csv.gz",
            text.replacingOccurrences(of: tokenA, with: "#").replacingOccurrences(of: tokenB, with: tokenA)
                .replacingOccurrences(of: "#", with: tokenB))
        let verify = try ws.run(["verify", "--kind", "card", "--input", "ab.csv.gz", "--results", "swapped.csv.gz"])
        #expect(verify.status == 1, "\(verify.stdout)")
        #expect(verify.stdout.contains("does not match the record of token"))
        #expect(!(verify.stdout + verify.stderr).contains(a))
    }

    @Test func theVaultFileDeletedDuringARunFailsItClearly() throws {
        let ws = try TestWorkspace()
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "60000", "--seed", "3", "--out", "big.csv.gz"]).status == 0)
        #expect(try ws.run(["init"]).status == 0)
        let running = try ws.start([
            "tokenize", "--kind", "card", "big.csv.gz", "--job-id", "D", "--batch-size", "500",
            "--commit-every", "5000", "--concurrency", "2",
        ])
        #expect(ws.waitUntil(running) { (ws.committedTokenCount() ?? 0) > 0 })
        for file in ["vault.db", "vault.db-wal", "vault.db-shm"] { unlink(ws.path(file)) }
        let result = running.wait()
        #expect(result.status == 74, "\(result.stderr)")
        #expect(result.stderr.contains("vault.db was deleted during the run"))
        #expect(try ws.readReport("D").status == .failed)
        #expect(!FileManager.default.fileExists(atPath: ws.path("out/D.results.csv.gz")))
    }

    @Test func verifyChecksStatusBrandAndExpiry() throws {
        let ws = try TestWorkspace()
        let cards = (1...6).map { TestCards.number(serial: $0) }
        try ws.writeGzip("in.csv.gz", TestCards.csv(cards.enumerated().map { ("r\($0.offset)", $0.element, "12/39") }))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz", "--job-id", "one"]).status == 0)
        // The same cards and three new ones: three existing, three new.
        let more = cards.prefix(3) + (7...9).map { TestCards.number(serial: $0) }
        try ws.writeGzip("in2.csv.gz", TestCards.csv(more.enumerated().map { ("s\($0.offset)", $0.element, "12/39") }))
        #expect(try ws.run(["tokenize", "--kind", "card", "in2.csv.gz", "--job-id", "two"]).status == 0)
        let honest = try ws.run(["verify", "--kind", "card", "--input", "in2.csv.gz", "--results", "out/two.results.csv.gz"])
        #expect(honest.status == 0, "\(honest.stdout)")

        let lines = try ws.readText(ws.path("out/two.results.csv.gz")).split(separator: "\n").map(String.init)
        func tampered(_ line: Int, _ from: String, _ to: String) throws -> RunResult {
            var copy = lines
            #expect(copy[line].contains(from))
            copy[line] = copy[line].replacingOccurrences(of: from, with: to)
            try ws.writeGzip("t.csv.gz", copy.joined(separator: "\n") + "\n")
            return try ws.run(["verify", "--kind", "card", "--input", "in2.csv.gz", "--results", "t.csv.gz"])
        }
        for (line, from, to, reason) in [
            (1, ",existing,", ",new,", "not created by this row"),
            (5, ",new,", ",existing,", "this row created"),
            (2, ",visa,", ",mastercard,", "brand"),
            (4, ",12/39", ",11/39", "expiry"),
        ] {
            let r = try tampered(line, from, to)
            #expect(r.status == 1, "\(from)→\(to): \(r.stdout)")
            #expect(r.stdout.contains("row \(line)") && r.stdout.contains(reason), "\(r.stdout)")
        }
    }

    /// The vault's disk full (a 4 MB tmpfs): 74 naming the vault, the committed rows reported
    /// and reconciled; with room again, the same job id finishes.
    @Test func aFullVaultDiskFailsNamingTheVaultAndTheSameJobIDFinishes() throws {
        let ws = try TestWorkspace()
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "60000", "--seed", "4", "--out", "big.csv.gz"]).status == 0)
        let disk = ws.path("disk")
        guard SafeRunsEndToEndTests().mountTmpfs(disk, options: "size=4m") else { return }
        defer { SafeRunsEndToEndTests().unmount(disk) }
        #expect(try ws.run(["init", "--vault", "disk/v.db"]).status == 0)
        let tuning = [
            "tokenize", "--kind", "card", "big.csv.gz", "--vault", "disk/v.db", "--job-id", "F",
            "--batch-size", "500", "--commit-every", "5000", "--concurrency", "2",
        ]
        let full = try ws.run(tuning)
        #expect(full.status == 74, "\(full.stderr)")
        #expect(full.stderr.contains("disk/v.db") && full.stderr.contains("full"), "\(full.stderr)")
        let report = try ws.readReport("F")
        #expect(report.status == .failed)
        #expect(report.counts.new == report.vault.tokensAfter - report.vault.tokensBefore, "the committed rows, reconciled")

        let remount = Process()
        remount.executableURL = URL(fileURLWithPath: "/bin/mount")
        remount.arguments = ["-o", "remount,size=256m", disk]
        try remount.run()
        remount.waitUntilExit()
        let finished = try ws.run(tuning)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try ws.readReport("F").counts.rows == 60000)
        #expect(try ws.run(["report", "F", "--vault", "disk/v.db"]).status == 0)
    }
}
