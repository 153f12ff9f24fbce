import Foundation
import Testing

@testable import TokenVault

/// A vault of the first release (schema v1: the lookups as unique indexes on `instruments`) opens,
/// is migrated to the latest schema, and keeps its tokens, its dedup and its detokenization.
@Suite struct SQLiteSchemaMigrationTests {
    /// Each schema object as `type name sql`, sorted: what makes two files the same schema.
    func schema(_ connection: SQLiteConnection) throws -> [String] {
        let rows = try connection.prepare(
            "SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        var objects: [String] = []
        while try rows.step() { objects.append([0, 1, 2].map { rows.text(at: $0) ?? "" }.joined(separator: " ")) }
        return objects
    }

    /// Builds `v1.db` with the first release's SQL and copies into it, table by table, what
    /// tokenizing `s.csv.gz` wrote into a vault: the v1 unique indexes take every record.
    func makeFirstReleaseVault(_ ws: TestWorkspace) throws {
        #expect(try ws.run(["init", "--vault", "source.db"]).status == 0)
        let first = try ws.run(["tokenize", "--kind", "card", "s.csv.gz", "--vault", "source.db", "--job-id", "first"])
        #expect(first.status == 0, "\(first.stderr)")
        let v1 = try SQLiteConnection(path: ws.path("v1.db"))
        try v1.execute("PRAGMA page_size = 65536; PRAGMA journal_mode = WAL;")
        try v1.execute("ATTACH DATABASE '\(ws.path("source.db"))' AS source")
        try v1.transaction {
            try v1.execute(SQLiteSchema.migrations[0].sql)
            for table in ["vault_meta", "data_keys", "fingerprint_keys", "runs", "run_inputs", "instruments", "audit"] {
                try v1.execute("INSERT INTO main.\(table) SELECT * FROM source.\(table)")
            }
            try v1.execute("PRAGMA user_version = 1")
        }
        try v1.execute("DETACH DATABASE source")
        #expect(try schema(v1).contains { $0.hasPrefix("index instruments_fingerprint CREATE UNIQUE INDEX") })
        #expect(try !schema(v1).contains { $0.contains("fingerprints") })
    }

    @Test func aFirstReleaseVaultIsMigratedAndStillDedupsAndDetokenizes() throws {
        let ws = try TestWorkspace()
        for file in ["s.csv.gz", "twin.jsonl.gz"] {
            #expect(try ws.run(["sample", "--kind", "card", "--rows", "3000", "--seed", "31", "--out", file]).status == 0)
        }
        try makeFirstReleaseVault(ws)
        let firstResults = try ws.readCSV(ws.path("out/first.results.csv.gz"))

        // Tokenizing the same file again migrates the vault and finds every card in it.
        let again = try ws.run(["tokenize", "--kind", "card", "s.csv.gz", "--vault", "v1.db", "--job-id", "again"])
        #expect(again.status == 0, "\(again.stderr)")
        let againResults = try ws.readCSV(ws.path("out/again.results.csv.gz"))
        #expect(againResults.count == 3000)
        #expect(againResults.filter { $0["status"] != "rejected" }.allSatisfy { $0["status"] == "existing" })
        #expect(againResults.map { $0["token"] } == firstResults.map { $0["token"] })
        let report = try ws.readReport("again")
        #expect(report.counts.new == 0 && report.vault.tokensAfter == report.vault.tokensBefore)

        let connection = try SQLiteConnection(path: ws.path("v1.db"), create: false)
        #expect(try connection.integer("PRAGMA user_version") == Int64(SQLiteSchema.latestVersion))
        let records = try connection.integer("SELECT count(*) FROM instruments")
        #expect(records == Int64(report.vault.tokensAfter))
        #expect(try connection.integer("SELECT count(*) FROM fingerprints") == records)
        #expect(try connection.integer("SELECT count(*) FROM tokens") == records)
        #expect(try !schema(connection).contains { $0.contains("instruments_fingerprint") || $0.contains("instruments_token") })

        // Every token of the first release still detokenizes, to the numbers it was made from.
        let result = try ws.run([
            "detokenize", "--input", "out/first.results.csv.gz", "--out", "numbers.csv", "--kind", "card", "--vault", "v1.db",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try LifecycleEndToEndTests().expectedValues(ws, twin: "twin.jsonl.gz", kind: .card)
        var checked = 0
        for row in try ws.readCSV(ws.path("numbers.csv")) where row["status"] != "rejected" {
            #expect(row["outcome"] == "detokenized")
            guard let want = expected[row["reference"]!] else { continue }
            #expect(row["card_number"]! + "|" + row["expiry_month"]! + row["expiry_year"]!.suffix(2) == want)
            checked += 1
        }
        #expect(checked > 2800)

        // New cards are new, once, next to the migrated ones.
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "500", "--seed", "32", "--out", "n.csv.gz"]).status == 0)
        for job in ["new1", "new2"] {
            #expect(try ws.run(["tokenize", "--kind", "card", "n.csv.gz", "--vault", "v1.db", "--job-id", job]).status == 0)
        }
        #expect(try ws.readReport("new1").counts.new > 400)
        #expect(try ws.readReport("new2").counts.new == 0)
    }
}
