import Foundation
import Testing

@testable import TokenVault

/// Format-preserving card tokens on the real executable (SPEC §11): the card's length, first
/// 6 and last 4 digits, Luhn-invalid, unique in the vault, and every §4 guarantee kept.
@Suite struct FormatPreservingTokensEndToEndTests {
    func vault(_ ws: TestWorkspace, _ name: String = "vault.db") throws {
        let created = try ws.run(["init", "--vault", name, "--token-format", "format-preserving"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("format-preserving"))
    }

    /// 12-digit cards sharing their first 6 and last 4 digits: 90 Luhn-invalid tokens for up
    /// to 10 cards per group, so draws collide and must be redrawn.
    static func crowdedCards() -> [String] {
        var cards: [String] = []
        for group in 0..<30 {
            let bin = String(400000 + group * 7)
            for middle in 0..<100 {
                let partial = bin + (middle < 10 ? "0\(middle)" : "\(middle)") + "123"
                let digits = partial.utf8.map { $0 - 0x30 }
                let card = partial + String(Luhn.checkDigit(for: digits))
                // Keep one last-4 per group: cards whose check digit is 7.
                if card.hasSuffix("1237") { cards.append(card) }
            }
        }
        return cards
    }

    @Test func tokensKeepLengthBINAndLast4FailLuhnAndAreUnique() throws {
        let ws = try TestWorkspace()
        try vault(ws)
        let lengths: [(String, Int)] = [("4", 13), ("34", 15), ("5", 16), ("6", 19), ("62", 17), ("4", 12)]
        var cards = lengths.flatMap { prefix, length in (1...40).map { TestCards.number(prefix: prefix, length: length, serial: $0) } }
        cards += Self.crowdedCards()
        #expect(Self.crowdedCards().count > 200)
        let rows = cards.enumerated().map { ("r\($0.offset)", $0.element, "12/39") }
        try ws.writeGzip("cards.csv.gz", TestCards.csv(rows + [("dup", cards[0], "12/39")]))
        let run = try ws.run([
            "tokenize", "--create-vault", "--kind", "card", "cards.csv.gz", "--job-id", "fp", "--concurrency", "2", "--batch-size", "64",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let results = try ws.readCSV(ws.path("out/fp.results.csv.gz"))
        #expect(results.count == cards.count + 1)
        var seen = Set<String>()
        for (card, result) in zip(cards, results) {
            let token = try #require(result["token"])
            #expect(result["status"] == "new")
            #expect(token.count == card.count && token.allSatisfy(\.isNumber))
            #expect(token.prefix(6) == card.prefix(6) && token.suffix(4) == card.suffix(4))
            #expect(!Luhn.isValid(token.utf8.map { $0 - 0x30 }), "a token must never pass for a card")
            #expect(seen.insert(token).inserted, "tokens are unique")
        }
        #expect(results.last?["status"] == "existing" && results.last?["token"] == results[0]["token"])
        // Bank-account tokens stay UUIDs in the same vault.
        try ws.writeGzip("acct.csv.gz", "iban,account_holder_name\nDE89370400440532013000,Ada\n")
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "bank-account", "acct.csv.gz", "--job-id", "acct"]).status == 0)
        let account = try ws.readCSV(ws.path("out/acct.results.csv.gz"))[0]["token"] ?? ""
        #expect(account.count == 36 && Token(account)?.isFormatPreserving == false)
        // Detokenize takes them back to the numbers.
        #expect(try ws.run(["detokenize", "--input", "out/fp.results.csv.gz", "--out", "back.csv"]).status == 0)
        #expect(try ws.readCSV(ws.path("back.csv")).map { $0["card_number"]! } == cards + [cards[0]])
    }

    @Test func aKilledRunResumesWithTheSameTokens() throws {
        let ws = try TestWorkspace()
        try vault(ws, "crash.db")
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "60000", "--seed", "5", "--out", "big.csv.gz"]).status == 0)
        let tuning = [
            "--kind", "card", "big.csv.gz", "--job-id", "J", "--batch-size", "500", "--commit-every", "2000", "--concurrency", "2",
        ]
        let running = try ws.start(["tokenize", "--create-vault", "--vault", "crash.db", "--out", "crash"] + tuning)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && running.process.isRunning {
            if let count = ws.liveTokens(vault: ws.path("crash.db")), count > 0 { break }
            usleep(20_000)
        }
        running.kill()
        _ = running.wait()
        // The tokens the killed run committed, by input row.
        let connection = try SQLiteConnection(path: ws.path("crash.db"), create: false, readOnly: true)
        let rows = try connection.prepare("SELECT created_row, token FROM instruments")
        var committed: [Int: String] = [:]
        while try rows.step() { committed[rows.int(at: 0)] = rows.withBlob(at: 1) { Token(storedBytes: $0)?.description } }
        #expect(!committed.isEmpty && committed.values.allSatisfy { $0.count >= 12 && $0.count <= 19 })

        let resumed = try ws.run(["tokenize", "--create-vault", "--vault", "crash.db", "--out", "crash"] + tuning)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let results = try ws.readCSV(ws.path("crash/J.results.csv.gz"))
        for result in results where committed[Int(result["row"]!)!] != nil {
            #expect(result["token"] == committed[Int(result["row"]!)!])
            #expect(result["status"] == "new")
        }
        let report = try ws.readReport("J", out: "crash")
        #expect(report.vault.tokensAfter == report.counts.new)
    }

    @Test func rotationsKeepEveryTokenAndItsRecord() throws {
        let ws = try TestWorkspace()
        try vault(ws)
        let cards = (1...50).map { ("r\($0)", TestCards.number(serial: $0), "12/39") }
        try ws.writeGzip("in.csv.gz", TestCards.csv(cards))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz", "--job-id", "one"]).status == 0)
        #expect(try ws.run(["keys", "rotate"]).status == 0)
        #expect(try ws.run(["keys", "reencrypt"]).status == 0)
        #expect(try ws.run(["keys", "rotate", "--fingerprint"]).status == 0)
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz", "--job-id", "two"]).status == 0)
        let before = try ws.readCSV(ws.path("out/one.results.csv.gz")), after = try ws.readCSV(ws.path("out/two.results.csv.gz"))
        #expect(after.allSatisfy { $0["status"] == "existing" })
        #expect(after.map { $0["token"]! } == before.map { $0["token"]! })
        #expect(try ws.run(["detokenize", "--input", "out/two.results.csv.gz", "--out", "back.csv"]).status == 0)
        #expect(try ws.readCSV(ws.path("back.csv")).map { $0["card_number"]! } == cards.map(\.1))
    }
}
