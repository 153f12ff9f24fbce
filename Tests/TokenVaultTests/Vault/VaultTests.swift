import Crypto
import Foundation
import Logging
import Testing

@testable import TokenVault

@Suite struct VaultTests {
    let logger = Logger(label: "test")
    static let keyA = TestWorkspace.masterKey
    static let keyB = "3Nn1mN5YxFzZ8xq0Wc7yT3bqkqg2PqU1b4Jm3pQ4S0k="

    func options(_ path: String, key: String = keyA, create: Bool = true) -> Vault.Options {
        Vault.Options(path: path, keySource: .environment, environment: ["TOKENVAULT_MASTER_KEY": key], createIfMissing: create)
    }

    @Test func newVaultIsPrivateAndKeyFileIsCreatedBesideIt() throws {
        let ws = try TestWorkspace()
        let path = ws.path("v.db")
        let options = Vault.Options(path: path, keySource: .besideVault, environment: [:], createIfMissing: true)
        _ = try Vault.open(options, logger: logger)
        for file in [path, path + ".key"] {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file)")
        }
        // The same key file opens it again.
        _ = try Vault.open(Vault.Options(path: path, keySource: .besideVault, environment: [:], createIfMissing: false), logger: logger)
    }

    @Test func wrongKeyFailsBeforeAnythingChanges() throws {
        let ws = try TestWorkspace()
        let path = ws.path("v.db")
        do { _ = try Vault.open(options(path), logger: logger) }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            _ = try Vault.open(options(path, key: Self.keyB, create: false), logger: logger)
        } throws: { ($0 as? TokenVaultError)?.code == .keyWrong }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func missingKeyIsReported() throws {
        let ws = try TestWorkspace()
        let path = ws.path("v.db")
        do { _ = try Vault.open(options(path), logger: logger) }
        #expect {
            _ = try Vault.open(Vault.Options(path: path, keySource: .besideVault, environment: [:], createIfMissing: false), logger: logger)
        } throws: { ($0 as? TokenVaultError)?.code == .keyMissing }
        #expect {
            _ = try Vault.open(options(path, key: "not base64!", create: false), logger: logger)
        } throws: { ($0 as? TokenVaultError)?.code == .keyWrong }
    }

    @Test func sealedRecordsAreBoundToTheirToken() throws {
        let ws = try TestWorkspace()
        let vault = try Vault.open(options(ws.path("v.db")), logger: logger)
        let crypto = vault.crypto
        let payload: [UInt8] = [1, 2, 3, 4]
        let nonce = SecureRandom.bytes(12)
        let tokenA = SecureRandom.bytes(16).withUnsafeBytes { Token(random: $0) }
        let tokenB = SecureRandom.bytes(16).withUnsafeBytes { Token(random: $0) }
        let sealed = try nonce.withUnsafeBytes { try crypto.seal(payload, token: tokenA, kind: .card, nonce: $0) }
        #expect(try crypto.open(Array(sealed), token: tokenA, kind: .card, keyVersion: crypto.activeDataKey) == payload)
        #expect(throws: TokenVaultError.self) {
            try crypto.open(Array(sealed), token: tokenB, kind: .card, keyVersion: crypto.activeDataKey)
        }
        #expect(throws: TokenVaultError.self) {
            try crypto.open(Array(sealed), token: tokenA, kind: .bankAccount, keyVersion: crypto.activeDataKey)
        }
    }

    @Test func fingerprintsAreKeyedNotPlainHashes() throws {
        let ws = try TestWorkspace()
        let a = try Vault.open(options(ws.path("a.db")), logger: logger).crypto
        let b = try Vault.open(options(ws.path("b.db")), logger: logger).crypto
        let identity = Array("card:4111111111111111".utf8)
        #expect(a.fingerprint(identity) == a.fingerprint(identity))
        #expect(a.fingerprint(identity) != b.fingerprint(identity), "each vault has its own fingerprint key")
        let plain = SHA256.hash(data: identity).withUnsafeBytes { Fingerprint($0) }
        #expect(a.fingerprint(identity) != plain)
    }

    @Test func schemaVersionIsRecorded() throws {
        let ws = try TestWorkspace()
        let vault = try Vault.open(options(ws.path("v.db")), logger: logger)
        let store = try #require(vault.store as? SQLiteVaultStore)
        #expect(try store.schemaVersion() == SQLiteSchema.latestVersion)
        #expect(try store.pageSize() == 65536)
    }
}

/// The writer's rules: file order decides, a batch's own repeats, resume.
@Suite struct VaultWriterTests {
    let logger = Logger(label: "test")

    func prepare(
        _ numbers: [String], vault: Vault, sequence: Int = 0, firstRow: Int = 1, expiry: String = "12/39",
        tokenFormat: TokenFormat = .uuid
    ) -> PreparedBatch {
        var text = ""
        var records: [RawRecord] = []
        for number in numbers {
            let start = text.utf8.count
            text += "{\"card_number\":\"\(number)\",\"expiry_date\":\"\(expiry)\"}"
            records.append(RawRecord(start: Int32(start), end: Int32(text.utf8.count), problem: nil))
            text += "\n"
        }
        let raw = RawBatch(sequence: sequence, inputIndex: 0, firstRow: firstRow, bytes: Array(text.utf8), records: records)
        let preparer = RowPreparer(
            kind: .card, format: .jsonl, delimiter: 0x2C, mapping: try! FieldMapping(kind: .card),
            validator: CardValidator(currentMonth: YearMonth(year: 2026, month: 1), allowExpired: false), crypto: vault.crypto,
            tokenFormat: tokenFormat)
        return preparer.prepare(raw, layout: nil)
    }

    @Test func firstOccurrenceInABatchIsNewAndRepeatsShareItsToken() throws {
        let ws = try TestWorkspace()
        let vault = try Vault.open(VaultTests().options(ws.path("v.db")), logger: logger)
        let run = try vault.beginRun(jobID: "j", kind: .card, startedAt: Date())
        let writer = try vault.makeWriter(run: run, commitEvery: 1000)
        let a = TestCards.number(serial: 1), b = TestCards.number(serial: 2)
        var batch = prepare([a, b, "4111 1111", TestCards.CardSpelling.dashed(a), b], vault: vault)
        try writer.write(&batch)
        try writer.commit()
        #expect(batch.resolutions.map(\.status) == [.new, .new, .rejected, .existing, .existing])
        #expect(batch.resolutions[0].token == batch.resolutions[3].token)
        #expect(batch.resolutions[1].token == batch.resolutions[4].token)
        #expect(batch.resolutions[0].token != batch.resolutions[1].token)
        #expect(try vault.tokenCount() == 2)
    }

    @Test func aResumedJobReportsItsOwnTokensNew() throws {
        let ws = try TestWorkspace()
        let vault = try Vault.open(VaultTests().options(ws.path("v.db")), logger: logger)
        let numbers = [TestCards.number(serial: 10), TestCards.number(serial: 11), TestCards.number(serial: 10)]
        let first = try vault.beginRun(jobID: "j", kind: .card, startedAt: Date())
        var batch = prepare(numbers, vault: vault)
        let writer = try vault.makeWriter(run: first, commitEvery: 1000)
        try writer.write(&batch)
        try writer.commit()

        let again = try vault.beginRun(jobID: "j", kind: .card, startedAt: Date())
        #expect(again.resumed && again.id == first.id)
        var rerun = prepare(numbers, vault: vault)
        let writer2 = try vault.makeWriter(run: again, commitEvery: 1000)
        try writer2.write(&rerun)
        try writer2.commit()
        #expect(rerun.resolutions.map(\.status) == [.new, .new, .existing])
        #expect(rerun.resolutions.map(\.token) == batch.resolutions.map(\.token))

        let other = try vault.beginRun(jobID: "k", kind: .card, startedAt: Date())
        var third = prepare(numbers, vault: vault)
        let writer3 = try vault.makeWriter(run: other, commitEvery: 1000)
        try writer3.write(&third)
        #expect(third.resolutions.map(\.status) == [.existing, .existing, .existing])
        #expect(try vault.tokenCount() == 2)
    }
}

extension VaultWriterTests {
    @Test func aRunOverlappingAFingerprintRotationStops() throws {
        let ws = try TestWorkspace()
        let options = VaultTests().options(ws.path("v.db"))
        let vault = try Vault.open(options, logger: logger)
        let run = try vault.beginRun(jobID: "j", kind: .card, startedAt: Date())
        let writer = try vault.makeWriter(run: run, commitEvery: 1)
        var first = prepare([TestCards.number(serial: 1)], vault: vault)
        try writer.write(&first)
        // Another process rotates the fingerprint key while this run goes on.
        let other = try Vault.open(options, logger: logger)
        _ = try other.rotateFingerprintKey(at: Date())
        var second = prepare([TestCards.number(serial: 2)], vault: vault, sequence: 1, firstRow: 2)
        #expect { try writer.write(&second) } throws: { ($0 as? TokenVaultError)?.code == .vaultBusy }
    }
}

extension TestCards {
    enum CardSpelling {
        static func dashed(_ number: String) -> String {
            var out = ""
            for (i, c) in number.enumerated() {
                if i > 0 && i % 4 == 0 { out += "-" }
                out.append(c)
            }
            return out
        }
    }
}
