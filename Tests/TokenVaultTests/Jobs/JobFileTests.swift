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
        let job = try load(
            """
            { "name": "migration", "kind": "card", "inputs": ["in/*.csv.gz", "/abs/x.csv"], "format": "csv", "delimiter": ";",
              "columns": { "card_number": "PAN", "expiry_month": "EXP_MONTH", "expiry_year": "EXP_YEAR" },
              "vault": "v/vault.db", "master_key_file": "/etc/k", "output": { "dir": "o", "format": "jsonl" },
              "policy": { "allow_expired": true, "max_reject_rate": 0.25 }, "archive_dir": "done", "description": "x" }
            """)
        #expect(job.name == "migration" && job.kind == .card && job.format == .csv && job.delimiter == UInt8(ascii: ";"))
        #expect(
            job.columns == [
                ColumnMapping(field: "card_number", column: "PAN"), ColumnMapping(field: "expiry_month", column: "EXP_MONTH"),
                ColumnMapping(field: "expiry_year", column: "EXP_YEAR"),
            ])
        #expect(job.outputFormat == .jsonl && job.outputDirectory == "o" && job.allowExpired && job.maxRejectRate == 0.25)
        #expect(job.archiveDirectory == "done" && job.masterKeyFile == "/etc/k")
        // Relative paths start at the job file's folder's parent; absolute ones stay.
        #expect(job.resolve("v/vault.db") == URL(fileURLWithPath: job.root).appendingPathComponent("v/vault.db").path)
        #expect(URL(fileURLWithPath: job.path).deletingLastPathComponent().deletingLastPathComponent().standardizedFileURL.path == job.root)
        #expect(job.resolve("/abs/x.csv") == "/abs/x.csv")
    }

    @Test func deliveryPolicyKeysAreRead() throws {
        let job = try load(
            #"{ "name": "n", "kind": "card", "inputs": ["a"], "delimiter": "tab", "policy": { "min_rows": 10, "require_input": true, "settle_seconds": 90, "done_marker": "{file}.ok" } }"#
        )
        #expect(job.minRows == 10 && job.requireInput && job.settleSeconds == 90 && job.delimiter == 0x09)
        #expect(job.marker(for: "/in/x.csv") == "/in/x.csv.ok")
        let defaults = try load(#"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "done_marker": true } }"#)
        #expect(defaults.marker(for: "/in/x.csv") == "/in/x.csv.done")
        #expect(defaults.minRows == nil && !defaults.requireInput && defaults.settleSeconds == 0)
        #expect(try load(#"{ "name": "n", "kind": "card", "inputs": ["a"] }"#).marker(for: "/in/x.csv") == nil)
    }

    @Test func migrationKeysAreRead() throws {
        let job = try load(
            #"{ "name": "m", "kind": "card", "inputs": ["a"], "dry_run": true, "expect_rows": 2000, "keep_columns": ["card_id", "Customer ID"], "policy": { "on_existing": "update" } }"#
        )
        #expect(job.dryRun && job.expectRows == 2000 && job.keepColumns == ["card_id", "Customer ID"] && job.onExisting == .update)
        let defaults = try load(#"{ "name": "m", "kind": "card", "inputs": ["a"] }"#)
        #expect(!defaults.dryRun && defaults.expectRows == nil && defaults.keepColumns.isEmpty && defaults.onExisting == .keep)
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
        (
            #"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "max_reject_rate": "5%" } }"#,
            "'policy.max_reject_rate' must be a number"
        ),
        (
            #"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "allow_expired": "yes" } }"#,
            "'policy.allow_expired' must be true or false"
        ),
        (#"{ "name": "../n", "kind": "card", "inputs": ["a"] }"#, "'name' must be"),
        (#"[1, 2]"#, "not a JSON object"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "delimiter": "\"" }"#, "'delimiter'"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "delimiter": "\n" }"#, "'delimiter'"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "min_rows": -1 } }"#, "'policy.min_rows' must be a whole number"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "min_rows": 1.5 } }"#, "'policy.min_rows' must be a whole number"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "min_rows": true } }"#, "'policy.min_rows' must be a whole number"),
        (
            #"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "require_input": 1 } }"#,
            "'policy.require_input' must be true or false"
        ),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "settle_seconds": -5 } }"#, "'policy.settle_seconds' must be"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "settle_seconds": "60" } }"#, "'policy.settle_seconds' must be"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "done_marker": "done" } }"#, "'policy.done_marker' must be"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "done_marker": 1 } }"#, "'policy.done_marker' must be"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "settle_second": 5 } }"#, "unknown key 'policy.settle_second'"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "dry_run": "yes" }"#, "'dry_run' must be true or false"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "expect_rows": -1 }"#, "'expect_rows' must be a whole number"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "expect_rows": 2.5 }"#, "'expect_rows' must be a whole number"),
        (#"{ "name": "n", "kind": "card", "inputs": ["a"], "keep_columns": "card_id" }"#, "'keep_columns' must be a list"),
        (
            #"{ "name": "n", "kind": "card", "inputs": ["a"], "keep_columns": ["card_number"] }"#,
            "'keep_columns': --keep-column card_number"
        ),
        (
            #"{ "name": "n", "kind": "card", "inputs": ["a"], "policy": { "on_existing": "replace" } }"#,
            "'policy.on_existing' must be keep or update"
        ),
    ])
    func mistakesAreRefusedByName(json: String, message: String) {
        let refused = refusal(json)
        #expect(refused?.contains(message) == true, "\(refused ?? "accepted")")
        #expect(refused?.contains("jobs/j.json") == true, "the message names the file")
    }
}
