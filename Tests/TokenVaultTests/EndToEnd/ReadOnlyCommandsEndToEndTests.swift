import Foundation
import Testing

@testable import TokenVault

/// `report`, `audit` and `keys status` decrypt nothing: they work without the master key and
/// leave the vault file byte for byte as it was (issue 14, SPEC §12).
@Suite struct ReadOnlyCommandsEndToEndTests {
    @Test func readingCommandsNeedNoKeyAndChangeNothing() throws {
        let ws = try TestWorkspace()
        // The key beside the vault, then moved away: no key is available at all.
        #expect(try ws.run(["init", "--vault", "vault.db"], environment: ["TOKENVAULT_MASTER_KEY": ""]).status == 0)
        let rows = (1...200).map { ("r\($0)", TestCards.number(serial: $0), "12/39") }
        try ws.writeGzip("cards.csv.gz", TestCards.csv(rows))
        let run = try ws.run(
            ["tokenize", "--create-vault", "--kind", "card", "cards.csv.gz", "--job-id", "ro"], environment: ["TOKENVAULT_MASTER_KEY": ""])
        #expect(run.status == 0, "\(run.stderr)")
        try FileManager.default.moveItem(atPath: ws.path("vault.db.key"), toPath: ws.path("elsewhere.key"))
        let noKey = ["TOKENVAULT_MASTER_KEY": ""]
        #expect(
            try ws.run(["detokenize", "--input", "out/ro.results.csv.gz", "--stdout"], environment: noKey).status == 77,
            "a key is still needed to decrypt")

        let before = try Data(contentsOf: URL(fileURLWithPath: ws.path("vault.db")))
        let commands: [[String]] = [
            ["report"], ["report", "ro", "--format", "json"], ["report", "--format", "html", "--out", "runs.html"],
            ["audit"], ["audit", "--format", "json"], ["keys", "status"], ["keys", "status", "--format", "json"],
        ]
        for command in commands {
            let r = try ws.run(command, environment: noKey)
            #expect(r.status == 0, "\(command): \(r.stderr)")
        }
        #expect(try ws.run(["report"], environment: noKey).stdout.contains("Reconciles: yes."))
        #expect(try ws.run(["audit"], environment: noKey).stdout.contains("tokenize"))
        #expect(try ws.run(["keys", "status"], environment: noKey).stdout.contains("Tokens: 200 live"))
        let after = try Data(contentsOf: URL(fileURLWithPath: ws.path("vault.db")))
        #expect(before == after, "the vault file is unchanged")
    }
}
