import Foundation

/// `tokenvault delete`: reads tokens from a file and crypto-shreds them in batches; audited.
public final class TokenDeletion {
    public struct Counts: Sendable {
        public var deleted = 0
        public var alreadyDeleted = 0
        public var unknown = 0
        /// Rows without a valid token.
        public var unreadable = 0
    }

    private let vault: Vault
    private let inputPath: String
    private let reason: DeleteReason
    /// Keys for an OpenPGP token file (a results file written with `--encrypt-to`).
    private let openPGP: OpenPGPSettings

    public init(vault: Vault, inputPath: String, reason: DeleteReason, openPGP: OpenPGPSettings = OpenPGPSettings()) {
        self.openPGP = openPGP
        self.vault = vault
        self.inputPath = inputPath
        self.reason = reason
    }

    public func run() throws -> Counts {
        let session = OpenPGPSession(settings: openPGP)
        defer { session.close() }
        let reader = try TokenFileReader(path: inputPath, openPGP: session)
        var counts = Counts()
        let now = Date()
        while true {
            let rows = try reader.next(limit: 5000)
            if rows.isEmpty { break }
            var tokens: [Token] = []
            for row in rows {
                if let token = Token(row.token) { tokens.append(token) } else { counts.unreadable += 1 }
            }
            let batch = try vault.delete(tokens, reason: reason, at: now)
            counts.deleted += batch.deleted
            counts.alreadyDeleted += batch.alreadyDeleted
            counts.unknown += batch.unknown
        }
        try vault.audit(
            command: "delete", jobID: nil,
            details: [
                ("input", inputPath), ("reason", reason.rawValue), ("deleted", "\(counts.deleted)"),
                ("already_deleted", "\(counts.alreadyDeleted)"), ("unknown", "\(counts.unknown)"), ("unreadable", "\(counts.unreadable)"),
            ])
        return counts
    }
}
