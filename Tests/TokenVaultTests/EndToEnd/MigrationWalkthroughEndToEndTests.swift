import Foundation
import Testing

@testable import TokenVault

/// The README's "migrating from another provider" walk-through on the real executable, with the
/// project's own job file (jobs/migration-with-ids.json) and a sample made like samples/'s.
@Suite struct MigrationWalkthroughEndToEndTests {
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func dryRunCountsRealRunMappingAndTheWayOut() throws {
        let ws = try TestWorkspace()
        for folder in ["jobs", "samples"] {
            try FileManager.default.createDirectory(atPath: ws.path(folder), withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(
            atPath: Self.projectRoot.appendingPathComponent("jobs/migration-with-ids.json").path,
            toPath: ws.path("jobs/migration-with-ids.json"))
        let sample = try ws.run([
            "sample", "--kind", "card", "--rows", "2000", "--seed", "3", "--layout", "migration",
            "--out", "samples/migration-cards.csv.gz",
        ])
        #expect(sample.status == 0)
        // Its JSON Lines twin (same seed, same rows) parses line by line: nil for the unreadable rows.
        #expect(
            try ws.run(["sample", "--kind", "card", "--rows", "2000", "--seed", "3", "--layout", "migration", "--out", "twin.jsonl.gz"])
                .status == 0)
        let export: [[String: String]?] = try ws.readText(ws.path("twin.jsonl.gz")).split(separator: "\n").map { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String]
        }
        #expect(export.count == 2000)
        let readable = export.compactMap { $0 }
        #expect(readable.count > 1950)
        #expect(readable.allSatisfy { $0["customer_id"]!.count == 18 && $0["card_id"]!.count == 29 })
        #expect(readable.filter { !($0["network_token"] ?? "").isEmpty }.count > 400)

        #expect(try ws.run(["init", "--vault", "demo/vault.db"]).status == 0)
        let dry = try ws.run(["run", "jobs/migration-with-ids.json", "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(FileManager.default.fileExists(atPath: ws.path("samples/migration-cards.csv.gz")))
        let real = try ws.run(["run", "jobs/migration-with-ids.json"])
        #expect(real.status == 0, "\(real.stderr)")
        let outputs = try FileManager.default.contentsOfDirectory(atPath: ws.path("demo/out/migration-with-ids"))
        let dryResults = try #require(outputs.first { $0.contains("dry-run") && $0.hasSuffix(".results.csv.gz") })
        let realResults = try #require(outputs.first { !$0.contains("dry-run") && $0.hasSuffix(".results.csv.gz") })
        let predicted = try ws.readCSV(ws.path("demo/out/migration-with-ids/\(dryResults)"))
        let mapping = try ws.readCSV(ws.path("demo/out/migration-with-ids/\(realResults)"))
        #expect(predicted.map { $0["status"]! } == mapping.map { $0["status"]! })
        // The mapping: every old card id and customer id beside its token.
        #expect(mapping.count == 2000)
        for column in ["card_id", "customer_id"] {
            let differing = zip(mapping, export).filter { result, original in result[column] != (original?[column] ?? "") }
            #expect(differing.isEmpty, "\(column)")
        }
        #expect(mapping.filter { $0["has_network_token"] == "true" }.count > 400)

        // The way out: detokenize the mapping; network tokens come back with their cards.
        let out = try ws.run([
            "detokenize", "--vault", "demo/vault.db", "--input", "demo/out/migration-with-ids/\(realResults)", "--out", "export-back.csv",
        ])
        #expect(out.status == 0, "\(out.stderr)")
        let back = try ws.readCSV(ws.path("export-back.csv"))
        let byCardID = Dictionary(readable.map { ($0["card_id"]!, $0) }, uniquingKeysWith: { a, _ in a })
        var checked = 0
        for row in back where !(row["card_number"] ?? "").isEmpty {
            let original = try #require(byCardID[row["card_id"]!])
            #expect(row["card_number"] == original["PAN"]!.filter(\.isNumber))
            if let token = original["network_token"], !token.isEmpty, row["status"] == "new" {
                #expect(row["network_token"] == token)
                checked += 1
            }
        }
        #expect(checked > 300)
        // A count that does not match the export stops before anything is written.
        let job = try String(contentsOfFile: ws.path("jobs/migration-with-ids.json"), encoding: .utf8)
        try ws.writePlain(
            "jobs/migration-with-ids.json", job.replacingOccurrences(of: "\"expect_rows\": 2000", with: "\"expect_rows\": 1999"))
        let before = ws.liveTokens(vault: ws.path("demo/vault.db"))
        #expect(try ws.run(["run", "jobs/migration-with-ids.json", "--force"]).status == 65)
        #expect(ws.liveTokens(vault: ws.path("demo/vault.db")) == before)
    }
}
