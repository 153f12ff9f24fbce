/// Where a vault is, from `--vault` or `TOKENVAULT_VAULT`: the one place that tells a file
/// from a server and picks the store for it.
public enum VaultLocation: Sendable, Equatable {
    /// An SQLite file (the embedded default).
    case sqlite(path: String)
    /// A PostgreSQL database, as a libpq URL (`postgresql://` or `postgres://`).
    case postgreSQL(url: String)

    public init(_ text: String) {
        let lowered = text.lowercased()
        if lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") {
            self = .postgreSQL(url: text)
        } else {
            self = .sqlite(path: text)
        }
    }

    /// The location fit for messages, logs, reports and the audit trail: a URL's password (and
    /// any other secret parameter) is removed.
    public var displayName: String {
        switch self {
        case .sqlite(let path): path
        case .postgreSQL(let url): ConnectionURL.redacted(url)
        }
    }

    /// A file beside the vault may hold its master key (SPEC §2); a server has no "beside".
    var allowsKeyFileBeside: Bool {
        if case .sqlite = self { true } else { false }
    }

    /// The store that serves this location.
    func storeType() throws -> any VaultStore.Type {
        switch self {
        case .sqlite: SQLiteVaultStore.self
        case .postgreSQL: PostgreSQLVaultStore.self
        }
    }
}
