import Crypto
import Foundation
import Logging

/// `tokenvault vault copy --from SOURCE --to TARGET`: a whole vault, from SQLite to PostgreSQL or
/// back, as stored (ciphertext, fingerprints and wrapped keys move as they are, so tokens never
/// change and no key is needed).
///
/// Resumable: the contents (metadata, keys, runs, audit) go first in one transaction, then the
/// instruments in id order, one transaction per chunk, starting after the highest id the target
/// holds; a rerun after a kill skips what is there. The source is opened read-only and must not
/// be written meanwhile. Both sides are then counted and digested the same way.
public final class VaultCopier {
    /// One side's counts and digest.
    public struct Summary: Sendable, Equatable {
        public var instruments = 0
        public var deleted = 0
        public var runs = 0
        public var runInputs = 0
        public var auditRecords = 0
        public var dataKeys = 0
        /// SHA-256 over every record in a canonical form (hex).
        public var digest = ""
    }

    public struct Outcome: Sendable {
        public let copiedInstruments: Int
        public let source: Summary
        public let target: Summary
        public var matches: Bool { source == target }
    }

    /// The audit command a copy records on its target; left out of digests so that both sides
    /// compare and a rerun still matches.
    static let auditCommand = "vault copy"

    private let from: VaultLocation
    private let to: VaultLocation
    private let busyTimeoutSeconds: Double
    private let chunk: Int
    private let logger: Logger

    public init(from: String, to: String, busyTimeoutSeconds: Double = 10, chunk: Int = 10_000, logger: Logger) {
        self.from = VaultLocation(from)
        self.to = VaultLocation(to)
        self.busyTimeoutSeconds = busyTimeoutSeconds
        self.chunk = max(1, chunk)
        self.logger = logger
    }

    public func run(progress: (Int, Int) -> Void = { _, _ in }) throws -> Outcome {
        guard from != to else { throw TokenVaultError(.usage, "--from and --to name the same vault") }
        let sourceOptions = VaultStoreOptions(location: from, busyTimeoutSeconds: busyTimeoutSeconds)
        let targetOptions = VaultStoreOptions(location: to, busyTimeoutSeconds: busyTimeoutSeconds)
        let source = try from.storeType().openExisting(sourceOptions, readOnly: true)
        let contents = try source.contents()
        guard let vaultID = contents.meta["vault_id"] else {
            throw TokenVaultError(.vaultCorrupt, "\(from.displayName) has no vault id")
        }
        let targetType = try to.storeType()
        let target: any VaultStore
        if try targetType.exists(targetOptions) {
            target = try targetType.openExisting(targetOptions, readOnly: false)
            try target.prepareForWriting()
            let existing = try target.contents().meta["vault_id"]
            guard existing == nil || existing == vaultID else {
                throw TokenVaultError(.cannotCreateOutput, "\(to.displayName) holds another vault; copy into an empty one")
            }
            if existing != nil {
                logger.notice("the target holds part of this vault: resuming the copy", metadata: ["to": "\(to.displayName)"])
            }
        } else {
            target = try targetType.createEmpty(targetOptions)
        }
        try target.importContents(contents)

        let total = try source.instrumentCount()
        var last = try target.lastInstrumentID()
        var copied = 0
        while true {
            let rows = try source.instrumentRows(after: last, limit: chunk)
            guard let end = rows.last?.id else { break }
            try target.importInstruments(rows)
            copied += rows.count
            last = end
            progress(try target.instrumentCount(), total)
        }
        // The counters as the source has them now (its instruments are all in).
        try target.importContents(
            VaultContents(meta: try source.contents().meta, dataKeys: [], fingerprintKeys: [], runs: [], runInputs: [], audit: []))
        let sourceSummary = try summarize(source)
        let targetSummary = try summarize(target)
        try target.appendAudit(
            AuditEntry(
                at: Timestamp.iso8601(Date()), user: ProcessIdentity.user, host: ProcessIdentity.host, command: Self.auditCommand,
                jobID: nil,
                details: JSONText.object([
                    ("from", from.displayName), ("instruments", "\(targetSummary.instruments)"),
                    ("digest", targetSummary.digest), ("matches", "\(sourceSummary == targetSummary)"),
                ])))
        return Outcome(copiedInstruments: copied, source: sourceSummary, target: targetSummary)
    }

    /// Counts and a SHA-256 over every record, fed in id order with length-prefixed fields.
    func summarize(_ store: any VaultStore) throws -> Summary {
        var hasher = SHA256()
        var summary = Summary()
        func feed(_ field: String?) { feed(field.map { Array($0.utf8) }) }
        func feed(_ field: [UInt8]?) {
            guard let field else { hasher.update(data: [0xFF, 0xFF, 0xFF, 0xFF]); return }
            withUnsafeBytes(of: UInt32(field.count).bigEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: field)
        }
        func feed(_ value: Int64?) { feed(value.map(String.init)) }
        let contents = try store.contents()
        for (key, value) in contents.meta.sorted(by: { $0.key < $1.key }) { feed(key); feed(value) }
        for key in contents.dataKeys + [WrappedKey(version: -1, wrapped: [], createdAt: "")] + contents.fingerprintKeys {
            feed(Int64(key.version)); feed(key.wrapped); feed(key.createdAt)
        }
        for run in contents.runs {
            for field in [
                String(run.id), run.jobID, run.kind, run.status, run.startedAt, run.finishedAt, String(run.tokensBefore),
                run.tokensAfter.map(String.init), run.report,
            ] { feed(field) }
        }
        for input in contents.runInputs {
            for field in [String(input.runID), String(input.position), input.path, input.sha256, String(input.bytes), String(input.rows)] {
                feed(field)
            }
        }
        let audit = contents.audit.filter { $0.entry.command != Self.auditCommand }
        for record in audit {
            let e = record.entry
            for field in [String(record.id), e.at, e.user, e.host, e.command, e.jobID, e.details] { feed(field) }
        }
        var last: Int64 = 0
        while true {
            let rows = try store.instrumentRows(after: last, limit: chunk)
            guard let end = rows.last?.id else { break }
            for row in rows {
                feed(row.id)
                feed(row.token.withBytes { Array($0) })
                feed(Int64(row.kind.storedValue))
                feed(row.fingerprint)
                feed(row.fingerprintKey.map(Int64.init))
                feed(row.dataKey.map(Int64.init))
                feed(row.sealed)
                for text in [row.alias, row.brand, row.country, row.bin, row.bankCode, row.last4, row.metadata] { feed(text) }
                feed(row.createdRun); feed(Int64(row.createdInput)); feed(row.createdRow)
                feed(row.deletedAt); feed(row.deleteReason)
                if row.deletedAt != nil { summary.deleted += 1 }
            }
            summary.instruments += rows.count
            last = end
        }
        summary.runs = contents.runs.count
        summary.runInputs = contents.runInputs.count
        summary.auditRecords = audit.count
        summary.dataKeys = contents.dataKeys.count
        summary.digest = hasher.finalize().hexString
        return summary
    }
}
