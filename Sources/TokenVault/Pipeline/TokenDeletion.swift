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

    public init(vault: Vault, inputPath: String, reason: DeleteReason) {
        self.vault = vault
        self.inputPath = inputPath
        self.reason = reason
    }

    public func run() throws -> Counts {
        let reader = try TokenFileReader(path: inputPath)
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
        try vault.audit(command: "delete", jobID: nil, details: [
            ("input", inputPath), ("reason", reason.rawValue), ("deleted", "\(counts.deleted)"),
            ("already_deleted", "\(counts.alreadyDeleted)"), ("unknown", "\(counts.unknown)"), ("unreadable", "\(counts.unreadable)"),
        ])
        return counts
    }
}
