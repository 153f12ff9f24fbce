import Crypto
import Foundation
import Testing

@testable import TokenVault

/// The real executable with OpenPGP inputs and outputs (SPEC §11), keys from a throwaway
/// GnuPG home (`OpenPGPTestKeys`).
@Suite struct OpenPGPEndToEndTests {
    let keys = OpenPGPTestKeys.shared
    var gnupg: [String: String] { ["GNUPGHOME": keys.home] }

    /// A workspace with a vault, a sample card file (clear text) and a clear run's results.
    struct Fixture {
        let ws: TestWorkspace
        let clear: String
        let clearPattern: [String]
    }

    func fixture(rows: Int = 1200) throws -> Fixture {
        let ws = try TestWorkspace()
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "\(rows)", "--seed", "11", "--out", "cards.csv.gz"]).status == 0)
        let clear = try ws.readText(ws.path("cards.csv.gz"))
        try ws.writePlain("cards.csv", clear)
        #expect(try ws.run(["init", "--vault", "clear.db"]).status == 0)
        let run = try ws.run(["tokenize", "--kind", "card", "cards.csv", "--vault", "clear.db", "--job-id", "clear"])
        #expect(run.status == 0, "\(run.stderr)")
        return Fixture(ws: ws, clear: clear, clearPattern: tokenSharingPattern(try ws.readCSV(ws.path("out/clear.results.csv.gz"))))
    }

    func write(_ ws: TestWorkspace, _ name: String, _ bytes: [UInt8]) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: ws.path(name)))
        return ws.path(name)
    }

    struct Variant: CustomTestStringConvertible, Sendable {
        var armor: Bool
        var signed: Bool
        var gzip: Bool
        var testDescription: String { "\(armor ? "armoured" : "binary") \(signed ? "signed" : "unsigned") \(gzip ? "gzip" : "plain")" }
    }

    /// Encrypted inputs give the clear file's results, and the report hashes the file as stored.
    @Test(arguments: [
        Variant(armor: false, signed: false, gzip: false), Variant(armor: true, signed: true, gzip: true),
        Variant(armor: false, signed: true, gzip: true), Variant(armor: true, signed: false, gzip: false),
    ])
    func encryptedInputsGiveTheClearResults(variant: Variant) throws {
        let f = try fixture()
        let inner = variant.gzip ? Array(try Data(contentsOf: URL(fileURLWithPath: f.ws.path("cards.csv.gz")))) : Array(f.clear.utf8)
        let message = try keys.encrypt(inner, to: [keys.curve], signer: variant.signed ? keys.rsa : nil, armor: variant.armor)
        _ = try write(f.ws, "in.csv.gpg", message)
        #expect(try f.ws.run(["init", "--vault", "v.db"]).status == 0)
        var arguments = ["tokenize", "--kind", "card", "in.csv.gpg", "--vault", "v.db", "--job-id", "e"]
        if variant.signed { arguments += ["--pgp-require-signature", keys.rsa] }
        let run = try f.ws.run(arguments, environment: gnupg)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(tokenSharingPattern(try f.ws.readCSV(f.ws.path("out/e.results.csv.gz"))) == f.clearPattern)
        let report = try f.ws.readReport("e")
        #expect(report.inputs.first?.sha256 == SHA256.hash(data: message).hexString)
        #expect(report.inputs.first?.bytes == message.count)
    }

    /// All or nothing over many small batches: each batch's output waits sealed in a nameless
    /// temporary file until the one commit, then reaches the files in input order.
    @Test func heldOutputComesBackInOrderAfterTheOneCommit() throws {
        let f = try fixture(rows: 1500)
        _ = try write(f.ws, "in.csv.gpg", try keys.encrypt(Array(f.clear.utf8), to: [keys.curve]))
        #expect(try f.ws.run(["init", "--vault", "v.db"]).status == 0)
        let run = try f.ws.run(
            [
                "tokenize", "--kind", "card", "in.csv.gpg", "--vault", "v.db", "--job-id", "e",
                "--batch-size", "16", "--concurrency", "3",
            ], environment: gnupg)
        #expect(run.status == 0, "\(run.stderr)")
        let results = try f.ws.readCSV(f.ws.path("out/e.results.csv.gz"))
        #expect(results.map { $0["row"] } == (1...1500).map { "\($0)" })
        #expect(tokenSharingPattern(results) == f.clearPattern)
        #expect(try f.ws.readText(f.ws.path("out/e.errors.csv.gz")) == f.ws.readText(f.ws.path("out/clear.errors.csv.gz")))
        let left = try FileManager.default.contentsOfDirectory(atPath: f.ws.path("out")).filter {
            !$0.hasPrefix("e.") && !$0.hasPrefix("clear.")
        }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func anImportedKeyWithItsPassphraseDecrypts() throws {
        let f = try fixture(rows: 300)
        _ = try write(f.ws, "in.csv.gpg", try keys.encrypt(Array(f.clear.utf8), to: [keys.protected]))
        #expect(try f.ws.run(["init", "--vault", "v.db"]).status == 0)
        // An empty GnuPG home: the key comes from the file alone.
        let empty = f.ws.path("empty-gnupg")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let run = try f.ws.run(
            [
                "tokenize", "--kind", "card", "in.csv.gpg", "--vault", "v.db", "--job-id", "e",
                "--pgp-secret-key", keys.file("protected.sec.asc"), "--pgp-passphrase-file", keys.file("passphrase"),
            ], environment: ["GNUPGHOME": empty, "TMPDIR": f.ws.path("")])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains(OpenPGPTestKeys.passphrase))
        // The temporary keyring is gone.
        let left = try FileManager.default.contentsOfDirectory(atPath: f.ws.path("")).filter { $0.hasPrefix("tokenvault-gpg") }
        #expect(left.isEmpty)
    }

    enum Failure: String, CaseIterable, Sendable {
        case missingKey, wrongPassphrase, unknownRecipient, unknownSigner, truncated, unsigned, signedByAnother, clearButSignatureRequired
    }

    /// Each failure has its exit status; none leaves results under a final name or a row in the vault.
    @Test(arguments: Failure.allCases)
    func failuresHaveTheirExitStatus(failure: Failure) throws {
        let f = try fixture(rows: 300)
        let clear = Array(f.clear.utf8)
        var input = "in.csv.gpg"
        var extra: [String] = []
        var expected: Int32 = 65
        switch failure {
        case .missingKey:
            _ = try write(f.ws, input, try keys.encrypt(clear, to: [keys.curve]))
            extra = ["--pgp-secret-key", keys.file("rsa.sec")]
            expected = 77
        case .wrongPassphrase:
            _ = try write(f.ws, input, try keys.encrypt(clear, to: [keys.protected]))
            let wrong = try write(f.ws, "wrong-passphrase", Array("not the passphrase\n".utf8))
            chmod(wrong, 0o600)
            extra = ["--pgp-secret-key", keys.file("protected.sec.asc"), "--pgp-passphrase-file", wrong]
            expected = 77
        case .unknownRecipient:
            _ = try write(f.ws, input, try keys.encrypt(clear, to: [keys.curve]))
            extra = ["--encrypt-to", String(repeating: "0123456789", count: 4)]
            expected = 77
        case .unknownSigner:
            _ = try write(f.ws, input, try keys.encrypt(clear, to: [keys.curve], signer: keys.rsa))
            extra = ["--pgp-require-signature", String(repeating: "9876543210", count: 4)]
            expected = 77
        case .truncated:
            let message = try keys.encrypt(clear, to: [keys.curve])
            _ = try write(f.ws, input, Array(message.prefix(message.count * 2 / 3)))
        case .unsigned:
            _ = try write(f.ws, input, try keys.encrypt(clear, to: [keys.curve]))
            extra = ["--pgp-require-signature", keys.rsa]
        case .signedByAnother:
            _ = try write(f.ws, input, try keys.encrypt(clear, to: [keys.curve], signer: keys.curve))
            extra = ["--pgp-require-signature", String(keys.rsa.suffix(16))]
        case .clearButSignatureRequired:
            input = "cards.csv"
            extra = ["--pgp-require-signature", keys.rsa]
        }
        #expect(try f.ws.run(["init", "--vault", "v.db"]).status == 0)
        let run = try f.ws.run(["tokenize", "--kind", "card", input, "--vault", "v.db", "--job-id", "e"] + extra, environment: gnupg)
        #expect(run.status == expected, "\(run.stderr)")
        let outputs = try FileManager.default.contentsOfDirectory(atPath: f.ws.path("out"))
        #expect(!outputs.contains { $0.hasPrefix("e.results") && !$0.hasSuffix(".part") }, "\(outputs)")
        if failure != .unknownRecipient && failure != .unknownSigner {
            let report = try f.ws.readReport("e")
            #expect(report.status == .failed)
            // Verified only at its end, an OpenPGP input commits all its rows or none.
            #expect(report.vault.tokensAfter == 0 && report.counts.new == 0)
        }
    }

    /// All or nothing on both kinds of vault: a message found truncated after many batches were
    /// written leaves no row in the vault (a PostgreSQL writer otherwise commits every batch).
    @Test(arguments: VaultKind.tested)
    func aTruncatedMessageLeavesTheVaultUnchangedAfterManyBatches(vault: VaultKind) throws {
        let ws = try TestWorkspace(vault: vault)
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "3000", "--seed", "12", "--out", "cards.csv.gz"]).status == 0)
        let message = try keys.encrypt(Array(try ws.readText(ws.path("cards.csv.gz")).utf8), to: [keys.curve])
        _ = try write(ws, "in.csv.gpg", Array(message.prefix(message.count * 9 / 10)))
        #expect(try ws.run(["init", "--vault", "v.db"]).status == 0)
        let run = try ws.run(
            [
                "tokenize", "--kind", "card", "in.csv.gpg", "--vault", "v.db", "--job-id", "e",
                "--batch-size", "50", "--concurrency", "1",
            ], environment: gnupg)
        #expect(run.status == 65, "\(run.stderr)")
        #expect(try ws.vaultSQL("SELECT count(*) FROM instruments", vault: "v.db") == 0)
        #expect(ws.liveTokens(vault: "v.db") == 0)
        #expect(try ws.readReport("e").counts.new == 0)
        // The whole message: its one transaction commits every batch, and every row is reported.
        _ = try write(ws, "whole.csv.gpg", message)
        let whole = try ws.run(
            [
                "tokenize", "--kind", "card", "whole.csv.gpg", "--vault", "v.db", "--job-id", "w",
                "--batch-size", "50", "--concurrency", "1",
            ], environment: gnupg)
        #expect(whole.status == 0, "\(whole.stderr)")
        let report = try ws.readReport("w")
        #expect(report.counts.new > 0 && ws.liveTokens(vault: "v.db") == report.counts.new)
        #expect(try ws.readCSV(ws.path("out/w.results.csv.gz")).count == 3000)
    }

    /// A short key id can be forged: refused as a usage error before anything runs.
    @Test func aShortKeyIDIsAUsageError() throws {
        let ws = try TestWorkspace()
        try ws.writePlain("cards.csv", TestCards.csv([("r1", TestCards.number(serial: 1), "12/39")]))
        let run = try ws.run(["tokenize", "--kind", "card", "cards.csv", "--pgp-require-signature", "DEADBEEF"], environment: gnupg)
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains("--pgp-require-signature"))
        #expect(!FileManager.default.fileExists(atPath: ws.path("out")))
    }

    /// Results and errors for two recipients: each key alone decrypts them to exactly what a
    /// clear run writes.
    @Test func encryptedOutputsDecryptForEachRecipient() throws {
        let f = try fixture(rows: 800)
        // A second clear run and the encrypted run see the same vault: same tokens, same lines.
        #expect(try f.ws.run(["tokenize", "--kind", "card", "cards.csv", "--vault", "clear.db", "--job-id", "c2"]).status == 0)
        let run = try f.ws.run(
            [
                "tokenize", "--kind", "card", "cards.csv", "--vault", "clear.db", "--job-id", "e2",
                "--encrypt-to", keys.rsa, "--encrypt-to", keys.file("curve.pub.asc"),
            ], environment: gnupg)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("e2.results.csv.gz.gpg"))
        for kind in ["results", "errors"] {
            let message = Array(try Data(contentsOf: URL(fileURLWithPath: f.ws.path("out/e2.\(kind).csv.gz.gpg"))))
            #expect(message.withUnsafeBytes(OpenPGPMessage.isMessage))
            let expected = try f.ws.readText(f.ws.path("out/c2.\(kind).csv.gz"))
            for secretKey in ["rsa.sec", "curve.sec"] {
                let keyring = try OpenPGPKeyring(settings: OpenPGPSettings(secretKeyFile: keys.file(secretKey)))
                let gzip = try OpenPGPDecryptor(upstream: MemorySource(message), keyring: keyring, requiredSigner: nil).readAll()
                let text = try GzipSource(upstream: MemorySource(gzip)).readAll()
                #expect(String(decoding: text, as: UTF8.self) == expected, "\(kind) for \(secretKey)")
            }
        }
    }

    /// `detokenize --encrypt-to`: each recipient decrypts exactly what a clear export writes,
    /// and no file in the working folder or TMPDIR holds a clear number meanwhile.
    @Test func detokenizeForAPartnerNeverWritesClearNumbers() throws {
        let f = try fixture(rows: 6000)
        let numbers = cardNumbers(inInput: f.clear)
        try FileManager.default.removeItem(atPath: f.ws.path("cards.csv"))
        try FileManager.default.removeItem(atPath: f.ws.path("cards.csv.gz"))
        let tmp = f.ws.path("tmp")
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let watcher = LeakWatcher(folders: [f.ws.root.path, tmp], numbers: numbers)
        watcher.scan()
        #expect(watcher.leaks.isEmpty, "\(watcher.leaks)")
        let process = try f.ws.start(
            [
                "detokenize", "--input", "out/clear.results.csv.gz", "--vault", "clear.db", "--out", "partner.csv.gz.gpg",
                "--encrypt-to", keys.rsa, "--encrypt-to", keys.file("curve.pub.asc"),
            ], environment: ["GNUPGHOME": keys.home, "TMPDIR": tmp])
        while process.process.isRunning { watcher.scan() }
        let run = process.wait()
        watcher.scan()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(watcher.leaks.isEmpty, "\(watcher.leaks)")
        var info = stat()
        #expect(stat(f.ws.path("partner.csv.gz.gpg"), &info) == 0 && info.st_mode & 0o777 == 0o600)

        // A clear export, read in memory only.
        let clear = try f.ws.run(["detokenize", "--input", "out/clear.results.csv.gz", "--vault", "clear.db", "--stdout"])
        #expect(clear.status == 0)
        let message = Array(try Data(contentsOf: URL(fileURLWithPath: f.ws.path("partner.csv.gz.gpg"))))
        for secretKey in ["rsa.sec", "curve.sec"] {
            let keyring = try OpenPGPKeyring(settings: OpenPGPSettings(secretKeyFile: keys.file(secretKey)))
            let gzip = try OpenPGPDecryptor(upstream: MemorySource(message), keyring: keyring, requiredSigner: nil).readAll()
            let text = String(decoding: try GzipSource(upstream: MemorySource(gzip)).readAll(), as: UTF8.self)
            #expect(text == clear.stdout, "for \(secretKey)")
        }
        // The export does hold the numbers the watcher looked for.
        #expect(!leakedNumbers(in: Array(clear.stdout.utf8), numbers: numbers).isEmpty)
    }

    @Test func detokenizeRefusesAnUnknownRecipientBeforeWriting() throws {
        let f = try fixture(rows: 50)
        let run = try f.ws.run(
            [
                "detokenize", "--input", "out/clear.results.csv.gz", "--vault", "clear.db", "--out", "partner.csv.gpg",
                "--encrypt-to", String(repeating: "AB", count: 20),
            ], environment: gnupg)
        #expect(run.status == 77, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: f.ws.path("partner.csv.gpg")))
        #expect(!FileManager.default.fileExists(atPath: f.ws.path("partner.csv.gpg.part")))
    }

    /// A job file's `pgp` object: signed encrypted deliveries in, results out for a partner.
    @Test func aJobReadsEncryptedDeliveriesAndEncryptsItsOutputs() throws {
        let ws = try TestWorkspace()
        for folder in ["jobs", "incoming", "keys"] {
            try FileManager.default.createDirectory(atPath: ws.path(folder), withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: keys.file("curve.sec"), toPath: ws.path("keys/our.sec"))
        try FileManager.default.copyItem(atPath: keys.file("rsa.pub.asc"), toPath: ws.path("keys/partner.asc"))
        let clear = TestCards.csv((1...50).map { ("r\($0)", TestCards.number(serial: $0), "12/39") })
        _ = try write(ws, "incoming/a.csv.gpg", try keys.encrypt(Array(clear.utf8), to: [keys.curve], signer: keys.rsa))
        try ws.writePlain(
            "jobs/partner.json",
            """
            { "name": "partner", "kind": "card", "inputs": ["incoming/*.csv.gpg"], "vault": "vault.db",
              "pgp": { "secret_key": "keys/our.sec", "require_signature": "\(keys.rsa)", "encrypt_to": ["keys/partner.asc"] } }
            """)
        #expect(try ws.run(["init", "--vault", "vault.db"]).status == 0)
        let run = try ws.run(["run", "jobs/partner.json"], environment: gnupg)
        #expect(run.status == 0, "\(run.stderr)")
        let outputs = try FileManager.default.contentsOfDirectory(atPath: ws.path("out/partner"))
        let results = try #require(outputs.first { $0.hasSuffix(".results.csv.gz.gpg") })
        let message = Array(try Data(contentsOf: URL(fileURLWithPath: ws.path("out/partner/\(results)"))))
        let gzip = try keys.decrypt(message)
        let rows = CSVTestParser.parse(String(decoding: try GzipSource(upstream: MemorySource(gzip)).readAll(), as: UTF8.self))
        #expect(rows.count == 51 && rows.dropFirst().allSatisfy { $0.contains("new") })
    }

    /// While a large encrypted file is tokenized into encrypted outputs, no file in the working
    /// folder or in TMPDIR ever holds a clear card number.
    @Test func noClearCardNumberTouchesTheDisk() throws {
        let f = try fixture(rows: 200)
        #expect(try f.ws.run(["sample", "--kind", "card", "--rows", "20000", "--seed", "5", "--out", "big.csv.gz"]).status == 0)
        let bigText = try f.ws.readText(f.ws.path("big.csv.gz"))
        let numbers = cardNumbers(inInput: bigText)
        let message = try keys.encrypt(Array(try Data(contentsOf: URL(fileURLWithPath: f.ws.path("big.csv.gz")))), to: [keys.curve])
        try FileManager.default.removeItem(atPath: f.ws.path("big.csv.gz"))
        try FileManager.default.removeItem(atPath: f.ws.path("cards.csv"))
        try FileManager.default.removeItem(atPath: f.ws.path("cards.csv.gz"))
        try FileManager.default.removeItem(atPath: f.ws.path("out"))
        _ = try write(f.ws, "big.csv.gpg", message)
        let tmp = f.ws.path("tmp")
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        #expect(try f.ws.run(["init", "--vault", "v.db"]).status == 0)

        let watcher = LeakWatcher(folders: [f.ws.root.path, tmp], numbers: numbers)
        let process = try f.ws.start(
            [
                "tokenize", "--kind", "card", "big.csv.gpg", "--vault", "v.db", "--job-id", "big",
                "--pgp-secret-key", keys.file("curve.sec"), "--encrypt-to", keys.file("rsa.pub.asc"),
            ], environment: ["GNUPGHOME": keys.home, "TMPDIR": tmp])
        var scans = 0
        while process.process.isRunning {
            watcher.scan()
            scans += 1
        }
        let run = process.wait()
        watcher.scan()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(scans > 1)
        #expect(watcher.filesSeen.contains { $0.hasSuffix("big.results.csv.gz.gpg") })
        #expect(watcher.leaks.isEmpty, "\(watcher.leaks)")
        #expect(try f.ws.readReport("big").counts.rows == 20000)
    }
}

@Suite struct LeakWatcherTests {
    /// The watcher is only as good as what it finds: a clear number written anywhere below.
    @Test func findsANumberWrittenInAWatchedFolder() throws {
        let ws = try TestWorkspace()
        let watcher = LeakWatcher(folders: [ws.root.path], numbers: ["4111111111111111"])
        try ws.writePlain("a.txt", "nothing here")
        watcher.scan()
        #expect(watcher.leaks.isEmpty)
        try FileManager.default.createDirectory(atPath: ws.path("deep/er"), withIntermediateDirectories: true)
        try ws.writePlain("deep/er/b.part", "x,4111111111111111,y")
        watcher.scan()
        #expect(watcher.leaks.keys.contains { $0.hasSuffix("b.part") })
    }
}

/// Scans every file under some folders for clear card numbers, again whenever it changes.
final class LeakWatcher {
    let folders: [String]
    let numbers: Set<String>
    private var seen: [String: (size: Int, modified: Date)] = [:]
    private(set) var leaks: [String: [String]] = [:]
    var filesSeen: [String] { Array(seen.keys) }

    init(folders: [String], numbers: Set<String>) {
        self.folders = folders
        self.numbers = numbers
    }

    func scan() {
        for folder in folders {
            guard let walker = FileManager.default.enumerator(atPath: folder) else { continue }
            while let relative = walker.nextObject() as? String {
                let path = folder + "/" + relative
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                    attributes[.type] as? FileAttributeType == .typeRegular
                else { continue }
                let size = (attributes[.size] as? Int) ?? 0
                let modified = (attributes[.modificationDate] as? Date) ?? .distantPast
                if let last = seen[path], last.size == size, last.modified == modified { continue }
                seen[path] = (size, modified)
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                let found = leakedNumbers(in: Array(data), numbers: numbers)
                if !found.isEmpty { leaks[path] = found }
            }
        }
    }
}
