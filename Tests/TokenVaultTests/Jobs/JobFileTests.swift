import Foundation
import Testing
@testable import TokenVault

@Suite struct JobFileTests {
    func load(_ json: String) throws -> JobFile {
        let ws = try TestWorkspace()
        try FileManager.default.createDirectory(atPath: ws.path("jobs"), withIntermediateDirectories: true)
        try ws.writePlain("jobs/j.json", json)
        return try JobFile.load(ws.path("jobs/j.json"))
    }

    func refusal(_ json: String) -> String? {
        do {
            _ = try load(json)
            return nil
        } catch let error as TokenVaultError {
            return error.code == .usage ? error.message : "wrong code \(error.code)"
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func everyKeyIsRead() throws {
        let job = try load("""
            { "name": "migration", "kind": "card", "inputs": ["in/*.csv.gz", "/abs/x.csv"], "format": "csv", "delimiter": ";",
              "columns": { "card_number": "PAN", "expiry_month": "EXP_MONTH", "expiry_year": "EXP_YEAR" },
              "vault": "v/vault.db", "master_key_file": "/etc/k", "output": { "dir": "o", "format": "jsonl" },
              "policy": { "allow_expired": true, "max_reject_rate": 0.25 }, "archive_dir": "done", "description": "x" }
            """)
        #expect(job.name == "migration" && job.kind == .card && job.format == .csv && job.delimiter == UInt8(ascii: ";"))
        #expect(job.columns == [ColumnMapping(field: "card_number", column: "PAN"), ColumnMapping(field: "expiry_month", column: "EXP_MONTH"),
                                ColumnMapping(field: "expiry_year", column: "EXP_YEAR")])
        #expect(job.outputFormat == .jsonl && job.outputDirectory == "o" && job.allowExpired && job.maxRejectRate == 0.25)
        #expect(job.archiveDirectory == "done" && job.masterKeyFile == "/etc/k")
        // Relative paths start at the job file's folder's parent; absolute ones stay.
        #expect(job.resolve("v/vault.db") == URL(fileURLWithPath: job.root).appendingPathComponent("v/vault.db").path)
        #expect(URL(fileURLWithPath: job.path).deletingLastPathComponent().deletingLastPathComponent().standardizedFileURL.path == job.root)
        #expect(job.resolve("/abs/x.csv") == "/abs/x.csv")
    }

    @Test func defaultsAreSensible() throws {
        let job = try load(#"{ "name": "n", "kind": "bank-account", "inputs": ["a.csv"] }"#)
        #expect(job.outputDirectory == "out/n" && job.outputFormat == .csv && job.maxRejectRate == nil && !job.allowExpired)
        #expect(job.format == nil && job.vault == nil && job.archiveDirectory == nil)
    }

    @Test(arguments: [
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "inptus": ["b"] }"#, "unknown key 'inptus'"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "output": { "dri": "o" } }"#, "unknown key 'output.dri'"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "max_reject_rte": 0.1 } }"#, "unknown key 'policy.max_reject_rte'"),
        (#"{ "kind": "card", "inputs": ["a"] }"#, "'name' is required"),
        (#"{ "name": "n", "kind": "cards", "inputs": ["a"] }"#, "'kind' must be card or bank-account"),
        (#"{ "name": "n", "kind": "card", "inputs": [] }"#, "'inputs' must be a non-empty list"),
        (#"{ "name": "n", "kind": "card", "inputs": "a" }"#, "'inputs' must be a non-empty list"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "format": "xml" }"#, "'format' must be csv or jsonl"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "columns": { "pan": "PAN" } }"#, "unknown field 'pan'"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "max_reject_rate": "5%" } }"#, "'policy.max_reject_rate' must be a number"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "allow_expired": "yes" } }"#, "'policy.allow_expired' must be true or false"),
        (#"{ "name": "../n", "kind": "card", "inputs": ["a"] }"#, "'name' must be"),
        (#"[1, 2]"#, "not a JSON object"),
    ])
    func mistakesAreRefusedByName(json: String, message: String) {
        let refused = refusal(json)
        #expect(refused?.contains(message) == true, "\(refused ?? "accepted")")
        #expect(refused?.contains("jobs/j.json") == true, "the message names the file")
    }
}
