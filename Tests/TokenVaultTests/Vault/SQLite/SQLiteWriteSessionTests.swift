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
        let a = TestCards.number(serial: 1), b = TestCards.number(serial: 2), c = TestCards.number(serial: 3),
            d = TestCards.number(serial: 4)
        let helper = VaultWriterTests()
        var batches = [
            helper.prepare([a, b, a], vault: vault, sequence: 0, firstRow: 1),
            helper.prepare([b, c, TestCards.CardSpelling.dashed(a)], vault: vault, sequence: 1, firstRow: 4),
            helper.prepare([c, d, b], vault: vault, sequence: 2, firstRow: 7),
        ]
        var durable: [Int] = []
        for index in batches.indices { durable += try writer.write(&batches[index]).map(\.sequence) }
        durable += try writer.commit().map(\.sequence)
        #expect(durable == [0, 1, 2], "each batch handed back once, in order, by the commit that holds it")
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

    /// SPEC §6 at 30M records: the filter's memory comes out of the page cache while the session
    /// lives, and the cache gets it back when the session ends (a job's next input).
    @Test func theFilterTakesItsMemoryFromThePageCacheUntilTheSessionEnds() throws {
        let ws = try TestWorkspace()
        var options = VaultTests().options(ws.path("v.db"))
        options.cacheBytes = 4 << 20
        let vault = try Vault.open(options, logger: logger)
        let connection = try #require(vault.store as? SQLiteVaultStore).connection
        #expect(try connection.integer("PRAGMA cache_size") == -4096)
        do {
            let writer = try vault.makeWriter(run: try vault.beginRun(jobID: "j", kind: .card, startedAt: Date()), commitEvery: 4)
            var batch = VaultWriterTests().prepare([TestCards.number(serial: 1)], vault: vault, sequence: 0, firstRow: 1)
            _ = try writer.write(&batch)
            let filterKiB = Int64(FingerprintFilter.byteCount(expected: 16) / 1024)
            #expect(try connection.integer("PRAGMA cache_size") == -(4096 - filterKiB), "the filter's share is out of the cache")
            _ = try writer.commit()
        }
        #expect(try connection.integer("PRAGMA cache_size") == -4096, "given back when the writer goes")
    }

    @Test func anotherWritersCommitsAreSeenAtTheNextTransaction() throws {
        let ws = try TestWorkspace()
        let options = VaultTests().options(ws.path("v.db"))
        let helper = VaultWriterTests()
        let a = TestCards.number(serial: 1), b = TestCards.number(serial: 2)
        let first = try Vault.open(options, logger: logger)
        let writer1 = try first.makeWriter(run: try first.beginRun(jobID: "one", kind: .card, startedAt: Date()), commitEvery: 1)
        var batch = helper.prepare([a], vault: first)
        _ = try writer1.write(&batch)
        #expect(batch.resolutions.map(\.status) == [.new])

        // A second process adds b after the first writer has built its view of the vault.
        let second = try Vault.open(options, logger: logger)
        let writer2 = try second.makeWriter(run: try second.beginRun(jobID: "two", kind: .card, startedAt: Date()), commitEvery: 1)
        var other = helper.prepare([b, a], vault: second)
        _ = try writer2.write(&other)
        #expect(other.resolutions.map(\.status) == [.new, .existing])

        var again = helper.prepare([b, a], vault: first, sequence: 1, firstRow: 2)
        _ = try writer1.write(&again)
        #expect(again.resolutions.map(\.status) == [.existing, .existing])
        #expect(again.resolutions[0].token == other.resolutions[0].token)
        #expect(try first.tokenCount() == 2)
    }

    /// `row` sealed again for `token`, as if its random draw had come out that way.
    func forcing(_ token: Token, on row: PreparedInstrument, _ vault: Vault) throws -> PreparedInstrument {
        let payload = try vault.crypto.open(
            Array(row.sealed), token: row.candidateToken, kind: .card, keyVersion: vault.crypto.activeDataKey)
        let sealed = try SecureRandom.bytes(12).withUnsafeBytes { try vault.crypto.seal(payload, token: token, kind: .card, nonce: $0) }
        return PreparedInstrument(fingerprint: row.fingerprint, candidateToken: token, sealed: sealed, display: row.display)
    }

    /// The clear fields of the record that holds `token`.
    func opened(_ token: Token, _ vault: Vault) throws -> [SealedPayload.Tag: String] {
        let record = try #require(try vault.instruments(withTokens: [token]).first ?? nil)
        let payload = try vault.crypto.open(try #require(record.sealed), token: token, kind: .card, keyVersion: record.dataKey)
        return try SealedPayload.decode(payload)
    }

    /// With no unique index on `instruments`, the writer checks a format-preserving token itself:
    /// one held by a committed record (in `tokens`) or drawn earlier in the open transaction
    /// (not in `tokens` before the commit) is redrawn, and the record re-sealed for the new one.
    @Test func aFormatPreservingTokenAlreadyTakenIsRedrawn() throws {
        let ws = try TestWorkspace()
        let vault = try Vault.open(VaultTests().options(ws.path("v.db")), logger: logger)
        let writer = try vault.makeWriter(run: try vault.beginRun(jobID: "j", kind: .card, startedAt: Date()), commitEvery: 100)
        let helper = VaultWriterTests()
        let cards = (1...4).map { TestCards.number(serial: $0) }
        var first = helper.prepare([cards[0]], vault: vault, tokenFormat: .formatPreserving)
        _ = try writer.write(&first)
        _ = try writer.commit()
        let held = try #require(first.resolutions[0].token)
        #expect(held.isFormatPreserving)

        // Row 2 has drawn the committed token; row 4 the one row 3 takes just before it.
        var second = helper.prepare(Array(cards[1...]), vault: vault, sequence: 1, firstRow: 2, tokenFormat: .formatPreserving)
        let drawnByRow3 = try #require(second.rows[1].instrument?.candidateToken)
        second.rows[0].instrument = try forcing(held, on: try #require(second.rows[0].instrument), vault)
        second.rows[2].instrument = try forcing(drawnByRow3, on: try #require(second.rows[2].instrument), vault)
        _ = try writer.write(&second)
        #expect(try writer.commit().map(\.sequence) == [1])

        #expect(second.resolutions.map(\.status) == [.new, .new, .new])
        let tokens = second.resolutions.compactMap(\.token)
        #expect(tokens.count == 3 && tokens.allSatisfy(\.isFormatPreserving))
        #expect(tokens[1] == drawnByRow3)
        #expect(tokens[0] != held && tokens[2] != drawnByRow3)
        #expect(Set([held] + tokens).count == 4)
        for (card, token) in zip(cards, [held] + tokens) {
            #expect(try opened(token, vault)[.cardNumber] == card, "each record opens under its own token")
        }
        for table in ["instruments", "fingerprints", "tokens"] {
            #expect(try count(table, in: ws) == 4, "\(table)")
        }
    }

    /// `--on-existing update` rewrites the record a fingerprint leads to, by id: one created
    /// earlier in the open transaction, and one committed before (found through `fingerprints`).
    @Test func updateRewritesTheRecordFoundPendingOrThroughTheLookupTable() throws {
        let ws = try TestWorkspace()
        let vault = try Vault.open(VaultTests().options(ws.path("v.db")), logger: logger)
        let writer = try vault.makeWriter(
            run: try vault.beginRun(jobID: "j", kind: .card, startedAt: Date()), commitEvery: 3, onExisting: .update)
        let helper = VaultWriterTests()
        let a = TestCards.number(serial: 1), b = TestCards.number(serial: 2)
        func expiry(_ batch: PreparedBatch) throws -> String? {
            let row = try #require(batch.rows[0].instrument)
            let payload = try vault.crypto.open(
                Array(row.sealed), token: row.candidateToken, kind: .card, keyVersion: vault.crypto.activeDataKey)
            return try SealedPayload.decode(payload)[.expiry]
        }
        var batches = [
            helper.prepare([a], vault: vault, sequence: 0, firstRow: 1, expiry: "12/39"),
            helper.prepare([a], vault: vault, sequence: 1, firstRow: 2, expiry: "11/40"), // a still pending
            helper.prepare([b], vault: vault, sequence: 2, firstRow: 3), // commits
            helper.prepare([a], vault: vault, sequence: 3, firstRow: 4, expiry: "10/41"), // a committed
            helper.prepare([a], vault: vault, sequence: 4, firstRow: 5, expiry: "10/41"), // nothing to change
        ]
        var durable: [Int] = []
        for index in batches.indices { durable += try writer.write(&batches[index]).map(\.sequence) }
        durable += try writer.commit().map(\.sequence)
        #expect(durable == [0, 1, 2, 3, 4])
        #expect(batches.map { $0.resolutions[0].status } == [.new, .existing, .new, .existing, .existing])
        #expect(batches.map { $0.resolutions[0].updated } == [false, true, false, true, false])
        #expect(batches.map { $0.tally.counts.updated ?? -1 } == [0, 1, 0, 1, 0])
        let token = try #require(batches[0].resolutions[0].token)
        #expect(
            batches.filter { $0.rows[0].instrument?.fingerprint == batches[0].rows[0].instrument?.fingerprint }
                .allSatisfy { $0.resolutions[0].token == token })
        // The record holds the last update, which is what the rows after it were shown.
        #expect(try opened(token, vault)[.expiry] == expiry(batches[3]))
        #expect(try opened(token, vault)[.expiry] != expiry(batches[0]))
        #expect(batches[4].resolutions[0].stored?.sealed == batches[3].resolutions[0].stored?.sealed)
        for table in ["instruments", "fingerprints", "tokens"] {
            #expect(try count(table, in: ws) == 2, "\(table)")
        }
    }

    /// A transaction longer than the writer keeps in memory (an all-or-nothing run) moves its
    /// lookup keys to the tables before the commit; repeats after that are found there, and a
    /// format-preserving token taken before the move is still redrawn.
    @Test func aLongTransactionMovesItsKeysToTheTablesAndStillFindsRepeats() throws {
        let ws = try TestWorkspace()
        let vault = try Vault.open(VaultTests().options(ws.path("v.db")), logger: logger)
        let store = try #require(vault.store as? SQLiteVaultStore)
        let run = try vault.beginRun(jobID: "j", kind: .card, startedAt: Date())
        let writer = try SQLiteWriteSession(
            connection: store.connection, run: run,
            keys: KeyVersions(activeDataKey: vault.crypto.activeDataKey, fingerprintKey: vault.crypto.fingerprintKeyVersion),
            commitEvery: .max, sealer: RecordSealer(crypto: vault.crypto, kind: .card, onExisting: .keep), file: nil,
            cacheKiB: store.options.cacheKiB, pendingLimit: 2)
        let cards = (1...5).map { TestCards.number(serial: $0) }
        let helper = VaultWriterTests()
        var first = helper.prepare([cards[0], cards[1], cards[2], cards[0], cards[3]], vault: vault, tokenFormat: .formatPreserving)
        #expect(try writer.write(&first).isEmpty, "one transaction: nothing durable yet")
        #expect(try store.connection.integer("SELECT count(*) FROM tokens") == 4, "moved to the table in the transaction")
        #expect(try count("tokens", in: ws) == 0, "not committed")
        var second = helper.prepare([cards[1], cards[4], cards[3]], vault: vault, sequence: 1, firstRow: 6, tokenFormat: .formatPreserving)
        let taken = try #require(first.resolutions[2].token)
        second.rows[1].instrument = try forcing(taken, on: try #require(second.rows[1].instrument), vault)
        _ = try writer.write(&second)
        #expect(try writer.commit().map(\.sequence) == [0, 1])
        #expect(first.resolutions.map(\.status) == [.new, .new, .new, .existing, .new])
        #expect(second.resolutions.map(\.status) == [.existing, .new, .existing])
        #expect(first.resolutions[3].token == first.resolutions[0].token)
        #expect(second.resolutions[0].token == first.resolutions[1].token)
        #expect(second.resolutions[2].token == first.resolutions[4].token)
        #expect(second.resolutions[1].token != taken)
        #expect(try vault.tokenCount() == 5)
        for table in ["instruments", "fingerprints", "tokens"] {
            #expect(try count(table, in: ws) == 5, "\(table)")
        }
    }

    @Test func aRolledBackTransactionLeavesNoRecordOrLookupBehind() throws {
        let ws = try TestWorkspace()
        let vault = try Vault.open(VaultTests().options(ws.path("v.db")), logger: logger)
        let helper = VaultWriterTests()
        let a = TestCards.number(serial: 1), b = TestCards.number(serial: 2)
        let run = try vault.beginRun(jobID: "j", kind: .card, startedAt: Date())
        let writer = try vault.makeWriter(run: run, commitEvery: 100)
        var kept = helper.prepare([a], vault: vault)
        _ = try writer.write(&kept)
        _ = try writer.commit()
        var dropped = helper.prepare([b], vault: vault, sequence: 1, firstRow: 2)
        _ = try writer.write(&dropped)
        writer.rollback()
        for table in ["instruments", "fingerprints", "tokens"] {
            #expect(try count(table, in: ws) == 1, "\(table)")
        }
        // The same writer goes on with a view of the vault as it is: b is new, a is not.
        var next = helper.prepare([b, a], vault: vault, sequence: 2, firstRow: 3)
        _ = try writer.write(&next)
        _ = try writer.commit()
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

/// The writer's index of the open transaction's fingerprints: every position found under its
/// prefix, including prefixes shared by several keys, across growth and after clearing.
@Suite struct PendingFingerprintIndexTests {
    @Test func findsEveryPositionThroughGrowthAndSharedPrefixes() {
        var generator = SystemRandomNumberGenerator()
        // Every third key shares its prefix with the one before: only `matches` tells them apart.
        var prefixes: [Int64] = []
        for position in 0..<5000 { prefixes.append(position % 3 == 2 ? prefixes[position - 1] : Int64(bitPattern: generator.next())) }
        var index = PendingFingerprintIndex(capacity: 10)
        for (position, prefix) in prefixes.enumerated() {
            index.insert(prefix, position: position) { prefixes[$0] }
        }
        #expect(index.count == 5000)
        for (position, prefix) in prefixes.enumerated() {
            #expect(index.find(prefix, where: { $0 == position }) == position)
        }
        #expect(index.find(Int64(bitPattern: generator.next()), where: { _ in false }) == nil)
        index.removeAll()
        #expect(index.count == 0)
        #expect(index.find(prefixes[0], where: { _ in true }) == nil)
    }
}
