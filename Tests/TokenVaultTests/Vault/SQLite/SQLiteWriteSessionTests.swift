import Foundation
import Logging
import Testing
@testable import TokenVault

/// The v2 write path (SPEC §8): repeats resolved in file order inside a batch, across batches of
/// one transaction (still pending) and across transactions (in the lookup tables), and other
/// writers' commits seen between transactions.
@Suite struct SQLiteWriteSessionTests {
    let logger = Logger(label: "test")

    func count(_ table: String, in ws: TestWorkspace) throws -> Int64? {
        try SQLiteConnection(path: ws.path("v.db"), create: false).integer("SELECT count(*) FROM \(table)")
    }

    @Test func repeatsAcrossBatchesAndTransactionsShareTheFirstToken() throws {
        let ws = try TestWorkspace()
        let vault = try Vault.open(VaultTests().options(ws.path("v.db")), logger: logger)
        let run = try vault.beginRun(jobID: "j", kind: .card, startedAt: Date())
        // Four rows a transaction, three a batch: batch 1 ends inside the first transaction,
        // batch 2 commits it, batch 3 runs in the next one.
        let writer = try vault.makeWriter(run: run, commitEvery: 4)
        let a = TestCards.number(serial: 1), b = TestCards.number(serial: 2), c = TestCards.number(serial: 3), d = TestCards.number(serial: 4)
        let helper = VaultWriterTests()
        var batches = [
            helper.prepare([a, b, a], vault: vault, sequence: 0, firstRow: 1),
            helper.prepare([b, c, TestCards.CardSpelling.dashed(a)], vault: vault, sequence: 1, firstRow: 4),
            helper.prepare([c, d, b], vault: vault, sequence: 2, firstRow: 7),
        ]
        for index in batches.indices { try writer.write(&batches[index]) }
        try writer.commit()
        let statuses = batches.map { $0.resolutions.map(\.status) }
        #expect(statuses == [[.new, .new, .existing], [.existing, .new, .existing], [.existing, .new, .existing]])
        let tokens = batches.flatMap { $0.resolutions.map(\.token) }
        #expect(Set([tokens[0], tokens[2], tokens[5]]).count == 1, "a: in-batch and cross-batch repeats")
        #expect(Set([tokens[1], tokens[3], tokens[8]]).count == 1, "b: cross-batch and cross-transaction repeats")
        #expect(tokens[4] == tokens[6], "c: cross-transaction repeat")
        #expect(Set(tokens.compactMap { $0 }).count == 4)
        #expect(try vault.tokenCount() == 4)
        for table in ["instruments", "fingerprints", "tokens"] {
            #expect(try count(table, in: ws) == 4, "\(table)")
        }
        // Both lookups lead back to the same records.
        let records = try vault.store.instruments(withTokens: [tokens[0]!, tokens[1]!, tokens[4]!, tokens[7]!])
        #expect(records.allSatisfy { $0 != nil && $0!.deletedAt == nil })
        let prepared = batches[0].rows.compactMap { $0.instrument?.fingerprint }
        #expect(try vault.store.tokens(forFingerprints: prepared) == [tokens[0], tokens[1], tokens[0]])
    }

    @Test func anotherWritersCommitsAreSeenAtTheNextTransaction() throws {
        let ws = try TestWorkspace()
        let options = VaultTests().options(ws.path("v.db"))
        let helper = VaultWriterTests()
        let a = TestCards.number(serial: 1), b = TestCards.number(serial: 2)
        let first = try Vault.open(options, logger: logger)
        let writer1 = try first.makeWriter(run: try first.beginRun(jobID: "one", kind: .card, startedAt: Date()), commitEvery: 1)
        var batch = helper.prepare([a], vault: first)
        try writer1.write(&batch)
        #expect(batch.resolutions.map(\.status) == [.new])

        // A second process adds b after the first writer has built its view of the vault.
        let second = try Vault.open(options, logger: logger)
        let writer2 = try second.makeWriter(run: try second.beginRun(jobID: "two", kind: .card, startedAt: Date()), commitEvery: 1)
        var other = helper.prepare([b, a], vault: second)
        try writer2.write(&other)
        #expect(other.resolutions.map(\.status) == [.new, .existing])

        var again = helper.prepare([b, a], vault: first, sequence: 1, firstRow: 2)
        try writer1.write(&again)
        #expect(again.resolutions.map(\.status) == [.existing, .existing])
        #expect(again.resolutions[0].token == other.resolutions[0].token)
        #expect(try first.tokenCount() == 2)
    }

    @Test func aRolledBackTransactionLeavesNoRecordOrLookupBehind() throws {
        let ws = try TestWorkspace()
        let vault = try Vault.open(VaultTests().options(ws.path("v.db")), logger: logger)
        let helper = VaultWriterTests()
        let a = TestCards.number(serial: 1), b = TestCards.number(serial: 2)
        let run = try vault.beginRun(jobID: "j", kind: .card, startedAt: Date())
        let writer = try vault.makeWriter(run: run, commitEvery: 100)
        var kept = helper.prepare([a], vault: vault)
        try writer.write(&kept)
        try writer.commit()
        var dropped = helper.prepare([b], vault: vault, sequence: 1, firstRow: 2)
        try writer.write(&dropped)
        writer.rollback()
        for table in ["instruments", "fingerprints", "tokens"] {
            #expect(try count(table, in: ws) == 1, "\(table)")
        }
        // The same writer goes on with a view of the vault as it is: b is new, a is not.
        var next = helper.prepare([b, a], vault: vault, sequence: 2, firstRow: 3)
        try writer.write(&next)
        try writer.commit()
        #expect(next.resolutions.map(\.status) == [.new, .existing])
        #expect(try vault.tokenCount() == 2)
    }
}

/// The writer's filter: never "absent" for a prefix it holds, and rarely "present" for others.
@Suite struct FingerprintFilterTests {
    @Test func holdsEveryInsertedPrefixAndFewOthers() {
        var filter = FingerprintFilter(expected: 50_000)
        var generator = SystemRandomNumberGenerator()
        let inserted = (0..<50_000).map { _ in Int64(bitPattern: generator.next()) }
        for prefix in inserted { filter.insert(prefix) }
        #expect(filter.count == 50_000)
        #expect(filter.count <= filter.capacity)
        #expect(inserted.allSatisfy { filter.mayContain($0) })
        let falsePositives = (0..<100_000).filter { _ in filter.mayContain(Int64(bitPattern: generator.next())) }.count
        #expect(falsePositives < 2_000, "under 2% at 12 bits a key")
    }
}
