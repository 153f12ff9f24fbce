import Foundation
import Testing

@testable import TokenVault

/// detokenize, delete, keys and audit on real vaults (issue 5, SPEC §2 and §4).
@Suite struct LifecycleEndToEndTests {
    /// What each input row should detokenize to: reference → normalised number (and expiry for cards).
    func expectedValues(_ ws: TestWorkspace, twin: String, kind: InstrumentKind) throws -> [String: String] {
        var expected: [String: String] = [:]
        for line in try ws.readText(ws.path(twin)).split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String],
                let reference = object["reference"]
            else { continue }
            switch kind {
            case .card:
                let number = (object["card_number"] ?? "").filter(\.isNumber)
                let expiry = (object["expiry_date"] ?? "").filter(\.isNumber)
                expected[reference] = number + "|" + expiry
            case .bankAccount:
                if let iban = object["iban"] {
                    expected[reference] = iban.uppercased().filter { $0.isLetter || $0.isNumber }
                } else {
                    var account = (object["account_number"] ?? "").filter { $0.isLetter || $0.isNumber }
                    if object["country_code"]?.uppercased() == "GB" {
                        account = String(repeating: "0", count: max(0, 8 - account.count)) + account
                    }
                    expected[reference] =
                        (object["country_code"] ?? "").uppercased() + "|" + (object["bank_code"] ?? "").filter(\.isNumber) + "|" + account
                }
            }
        }
        return expected
    }

    @Test(arguments: InstrumentKind.allCases, VaultKind.tested)
    func detokenizeReturnsExactlyWhatWasTokenized(kind: InstrumentKind, vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        for file in ["s.csv.gz", "twin.jsonl.gz"] {
            #expect(try ws.run(["sample", "--kind", kind.rawValue, "--rows", "3000", "--seed", "31", "--out", file]).status == 0)
        }
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", kind.rawValue, "s.csv.gz", "--job-id", "t"]).status == 0)
        let refused = try ws.run(["detokenize", "--input", "out/t.results.csv.gz"])
        #expect(refused.status == 64, "numbers never go to stdout without --stdout")
        #expect(refused.stdout.isEmpty)

        let result = try ws.run(["detokenize", "--input", "out/t.results.csv.gz", "--out", "numbers.csv", "--kind", kind.rawValue])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: ws.path("numbers.csv"))[.posixPermissions] as? Int == 0o600)
        let expected = try expectedValues(ws, twin: "twin.jsonl.gz", kind: kind)
        let rows = try ws.readCSV(ws.path("numbers.csv"))
        #expect(rows.count == 3000)
        var checked = 0
        for row in rows where row["status"] != "rejected" {
            #expect(row["outcome"] == "detokenized")
            let reference = row["reference"]!
            guard let want = expected[reference] else { continue }
            let got: String
            switch kind {
            case .card:
                // A repeat's token holds the first occurrence's data; the sample repeats the expiry too.
                got = row["card_number"]! + "|" + row["expiry_month"]! + row["expiry_year"]!.suffix(2)
            case .bankAccount:
                got = row["iban"]!.isEmpty ? row["country_code"]! + "|" + row["bank_code"]! + "|" + row["account_number"]! : row["iban"]!
            }
            #expect(got == want, "\(reference)")
            checked += 1
        }
        #expect(checked > 2800)
        #expect(
            rows.filter { $0["status"] == "rejected" }.allSatisfy { $0["outcome"] == "error" && $0["error"]!.hasPrefix("MISSING_FIELD") })
        // The numbers are in that file only: not on stdout, stderr, in the audit or the vault.
        let numbers =
            kind == .card
            ? cardNumbers(inInput: try ws.readText(ws.path("twin.jsonl.gz")))
            : bankNumbers(inInput: try ws.readText(ws.path("twin.jsonl.gz")), format: .jsonl)
        let audit = try ws.run(["audit", "--format", "json"])
        #expect(leakedNumbers(in: Array((result.stdout + result.stderr + audit.stdout).utf8), numbers: numbers).isEmpty)
        #expect(!leakedNumbers(in: Array(try ws.readText(ws.path("numbers.csv")).utf8), numbers: numbers).isEmpty)
    }

    @Test(arguments: VaultKind.tested)
    func deletedTokensCannotBeDetokenizedAndTheSameCardComesBackNew(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        let a = TestCards.number(serial: 1), b = TestCards.number(serial: 2)
        try ws.writeGzip("in.csv.gz", TestCards.csv([("r1", a, "12/39"), ("r2", b, "12/39")]))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz", "--job-id", "one"]).status == 0)
        let first = try ws.readCSV(ws.path("out/one.results.csv.gz"))
        try ws.writePlain("delete.csv", "token,note\n\(first[0]["token"]!),gone\n00000000-0000-4000-8000-000000000000,unknown\n")
        #expect(try ws.run(["delete", "--input", "delete.csv", "--reason", "bogus"]).status == 64)
        let deleted = try ws.run(["delete", "--input", "delete.csv", "--reason", "customer_request"])
        #expect(deleted.status == 0)
        #expect(deleted.stdout.contains("Deleted 1 tokens") && deleted.stdout.contains("1 unknown"))

        let out = try ws.run(["detokenize", "--input", "delete.csv", "--out", "back.csv"])
        #expect(out.status == 0)
        let rows = try ws.readCSV(ws.path("back.csv"))
        #expect(rows.map { $0["error"]!.prefix(while: { $0 != ":" }) } == ["TOKEN_DELETED", "TOKEN_NOT_FOUND"])
        #expect(rows[0]["note"] == "gone", "other columns are passed through")
        #expect(rows.allSatisfy { $0["card_number"] == "" })

        // The ciphertext and fingerprint are gone from the file, not only unlinked.
        #expect(
            try ws.vaultSQL(
                "SELECT count(*) FROM instruments WHERE deleted_at IS NOT NULL AND sealed IS NULL AND fingerprint IS NULL AND delete_reason = 'customer_request'"
            ) == 1)

        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz", "--job-id", "two"]).status == 0)
        let again = try ws.readCSV(ws.path("out/two.results.csv.gz"))
        #expect(again.map { $0["status"]! } == ["new", "existing"])
        #expect(again[0]["token"] != first[0]["token"])
        #expect(again[1]["token"] == first[1]["token"])
    }

    @Test(arguments: VaultKind.tested)
    func rotateAndReencryptKeepEveryTokenAndAKilledReencryptFinishesOnRerun(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "40000", "--seed", "41", "--out", "s.csv.gz"]).status == 0)
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "s.csv.gz", "--job-id", "t"]).status == 0)
        #expect(try ws.run(["detokenize", "--input", "out/t.results.csv.gz", "--out", "before.csv"]).status == 0)
        #expect(try ws.run(["keys", "rotate"]).status == 0)

        let running = try ws.start(["keys", "reencrypt", "--batch-size", "200"])
        let total = try #require(try ws.vaultSQL("SELECT count(*) FROM instruments WHERE data_key = 1"))
        let deadline = Date().addingTimeInterval(60)
        var left = total
        while Date() < deadline && running.process.isRunning {
            left = (try? ws.vaultSQL("SELECT count(*) FROM instruments WHERE data_key = 1")) ?? total
            if left < total * 3 / 4 { break }
            usleep(5_000)
        }
        running.kill()
        _ = running.wait()
        let afterKill = try #require(try ws.vaultSQL("SELECT count(*) FROM instruments WHERE data_key = 1"))
        #expect(afterKill < total, "the kill came after some batches were committed")
        #expect(afterKill > 0, "and before the end")
        // Mid-way, old and new records both open.
        #expect(try ws.run(["detokenize", "--input", "out/t.results.csv.gz", "--out", "midway.csv"]).stdout.contains("Detokenized"))

        let rerun = try ws.run(["keys", "reencrypt"])
        #expect(rerun.status == 0)
        #expect(rerun.stdout.contains("Re-encrypted \(grouped(afterKill))"))
        #expect(try ws.vaultSQL("SELECT count(*) FROM instruments WHERE data_key <> 2") == 0)
        let status = try ws.run(["keys", "status", "--format", "json"])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        let keys = json["data_keys"] as! [[String: Any]]
        #expect(keys.map { $0["records"] as! Int } == [0, Int(total)])
        #expect(keys.map { $0["active"] as! Bool } == [false, true])

        #expect(try ws.run(["detokenize", "--input", "out/t.results.csv.gz", "--out", "after.csv"]).status == 0)
        #expect(try ws.readText(ws.path("after.csv")) == ws.readText(ws.path("before.csv")))
        #expect(try ws.readText(ws.path("midway.csv")) == ws.readText(ws.path("before.csv")))
    }

    @Test(arguments: VaultKind.tested)
    func rewrapMakesTheOldMasterKeyFailAndTheNewOneWork(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        try ws.writeGzip("in.csv.gz", TestCards.csv([("r1", TestCards.number(serial: 1), "12/39")]))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz", "--job-id", "t"]).status == 0)
        try ws.writePlain("new.key", VaultTests.keyB + "\n")
        chmod(ws.path("new.key"), 0o600)
        #expect(try ws.run(["keys", "rewrap", "--new-master-key-file", "new.key"]).status == 0)
        let old = try ws.run(["keys", "status"])
        #expect(old.status == 77)
        let new = try ws.run(["keys", "status", "--master-key-file", "new.key"])
        #expect(new.status == 0)
        #expect(
            try ws.run(["detokenize", "--input", "out/t.results.csv.gz", "--out", "n.csv", "--master-key-file", "new.key"]).status == 0)
        #expect(try ws.readCSV(ws.path("n.csv"))[0]["card_number"] == TestCards.number(serial: 1))
        let audit = try ws.run(["audit", "--master-key-file", "new.key"])
        #expect(audit.stdout.contains("keys rewrap"))
        #expect(!audit.stdout.contains(VaultTests.keyB) && !audit.stdout.contains(TestWorkspace.masterKey))
    }

    @Test(arguments: VaultKind.tested)
    func fingerprintRotationKeepsDedupAndTokens(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        let cards = (1...50).map { ("r\($0)", TestCards.number(serial: $0), "12/39") }
        try ws.writeGzip("in.csv.gz", TestCards.csv(cards))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz", "--job-id", "one"]).status == 0)
        try ws.writeGzip("acct.csv.gz", "iban,account_holder_name\nDE89370400440532013000,Ada\n")
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "bank-account", "acct.csv.gz", "--job-id", "acct1"]).status == 0)
        let rotated = try ws.run(["keys", "rotate", "--fingerprint"])
        #expect(rotated.status == 0)
        #expect(rotated.stdout.contains("51 fingerprints recomputed"))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz", "--job-id", "two"]).status == 0)
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "bank-account", "acct.csv.gz", "--job-id", "acct2"]).status == 0)
        let before = try ws.readCSV(ws.path("out/one.results.csv.gz")), after = try ws.readCSV(ws.path("out/two.results.csv.gz"))
        #expect(after.allSatisfy { $0["status"] == "existing" })
        #expect(after.map { $0["token"]! } == before.map { $0["token"]! })
        #expect(
            try ws.readCSV(ws.path("out/acct2.results.csv.gz"))[0]["token"] == ws.readCSV(ws.path("out/acct1.results.csv.gz"))[0]["token"])
        #expect(try ws.run(["keys", "status"]).stdout.contains("Fingerprint key v2"))
    }

    @Test(arguments: VaultKind.tested)
    func theAuditListsEachOperationWithItsCounts(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        try ws.writeGzip("in.csv.gz", TestCards.csv([("r1", TestCards.number(serial: 1), "12/39"), ("r2", "4111", "12/39")]))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz", "--job-id", "t"]).status == 0)
        #expect(try ws.run(["detokenize", "--input", "out/t.results.csv.gz", "--out", "d.csv"]).status == 0)
        #expect(try ws.run(["keys", "rotate"]).status == 0)
        #expect(try ws.run(["keys", "reencrypt"]).status == 0)
        let rows = try ws.readCSV(ws.path("out/t.results.csv.gz"))
        try ws.writePlain("del.csv", "token\n\(rows[0]["token"]!)\n")
        #expect(try ws.run(["delete", "--input", "del.csv", "--reason", "compromised"]).status == 0)
        let audit = try ws.run(["audit", "--format", "json"])
        #expect(audit.status == 0)
        let records = try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as! [[String: Any]]
        let commands = records.map { $0["command"] as! String }
        #expect(commands == ["tokenize", "detokenize", "keys rotate", "keys reencrypt", "delete"])
        let details = records.map { $0["details"] as! [String: String] }
        #expect(details[0]["new"] == "1" && details[0]["rejected"] == "1" && records[0]["job_id"] as? String == "t")
        #expect(details[1]["detokenized"] == "1" && details[1]["errors"] == "1")
        #expect(details[3]["records"] == "1")
        #expect(details[4]["deleted"] == "1" && details[4]["reason"] == "compromised")
        #expect(records.allSatisfy { ($0["user"] as? String)?.isEmpty == false && ($0["host"] as? String)?.isEmpty == false })
        #expect(!audit.stdout.contains(TestCards.number(serial: 1)))
        let since = try ws.run(["audit", "--since", "2999-01-01"])
        #expect(since.stdout.isEmpty)
    }

    /// They decrypt nothing, so they need no master key and leave the vault as it was; a key
    /// that is given is still checked.
    @Test(arguments: VaultKind.tested)
    func reportAuditAndKeyStatusReadTheVaultWithoutAKey(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        try ws.writeGzip("in.csv.gz", TestCards.csv([("r1", TestCards.number(serial: 1), "12/39"), ("r2", "4111", "12/39")]))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz", "--job-id", "t"]).status == 0)
        let before = try ws.vaultBytes()
        let noKey = ["TOKENVAULT_MASTER_KEY": ""]
        try ws.writePlain("elsewhere.key", TestWorkspace.masterKey + "\n")
        chmod(ws.path("elsewhere.key"), 0o600) // a key file others can read is refused (issue 11)
        let report = try ws.run(["report", "t"], environment: noKey)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("Reconciles: yes."))
        let audit = try ws.run(["audit"], environment: noKey)
        #expect(audit.status == 0 && audit.stdout.contains("tokenize"))
        let keys = try ws.run(["keys", "status"], environment: noKey)
        #expect(keys.status == 0 && keys.stdout.contains("Data key v1 (active)") && keys.stdout.contains("not checked"))
        // (A reader of a WAL-mode file may leave SQLite's empty -wal and -shm beside it.)
        #expect(try ws.vaultBytes() == before, "read-only commands leave the vault unchanged")
        let wrong = try ws.run(["report"], environment: ["TOKENVAULT_MASTER_KEY": VaultTests.keyB])
        #expect(wrong.status == 77, "a key that is given must be the vault's")
        let keyed = try ws.run(["keys", "status", "--master-key-file", "elsewhere.key"], environment: noKey)
        #expect(keyed.status == 0 && keyed.stdout.contains("Master key id"))
        // A vault that does not exist is not created by a read-only command.
        #expect(try ws.run(["report", "--vault", "none.db"], environment: noKey).status == 66)
        #expect(!FileManager.default.fileExists(atPath: ws.path("none.db")))
    }
}

/// `12345` → `12,345`, as the commands print counts.
private func grouped(_ value: Int64) -> String {
    let digits = String(value)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return out
}
