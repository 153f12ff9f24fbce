import Crypto
import Foundation

/// The vault in a PostgreSQL database, for many writers on many hosts (SPEC §9).
///
/// Statements run at READ COMMITTED. The unique fingerprint index decides which concurrent
/// writer creates an instrument; a writer that meets an uncommitted insert of the same
/// fingerprint waits for it and then reports the instrument existing (see
/// `PostgreSQLWriteSession`). Job locks are session-level advisory locks.
final class PostgreSQLVaultStore: VaultStore {
    let location: VaultLocation
    let connection: PostgreSQLConnection
    let url: String

    init(url: String, connection: PostgreSQLConnection) {
        self.location = .postgreSQL(url: url)
        self.url = url
        self.connection = connection
    }

    static func url(_ options: VaultStoreOptions) -> String {
        guard case .postgreSQL(let url) = options.location else {
            preconditionFailure("a PostgreSQL store for \(options.location.displayName)")
        }
        return url
    }

    static func connect(_ options: VaultStoreOptions) throws -> PostgreSQLConnection {
        try PostgreSQLError.guarded {
            let connection = try PostgreSQLConnection(url: url(options))
            // A lock held past --wait fails with 75, as SQLite's busy timeout does.
            try connection.execute("SET lock_timeout = '\(Int(max(1, options.busyTimeoutSeconds * 1000)))ms'")
            return connection
        }
    }

    // MARK: - Opening

    static func exists(_ options: VaultStoreOptions) throws -> Bool {
        try PostgreSQLError.guarded { try hasVault(try connect(options)) }
    }

    private static func hasVault(_ connection: PostgreSQLConnection) throws -> Bool {
        guard try connection.integer("SELECT CASE WHEN to_regclass('vault_meta') IS NULL THEN 0 ELSE 1 END") == 1 else { return false }
        return try connection.integer("SELECT count(*) FROM vault_meta WHERE key = 'vault_id'") == 1
    }

    static func openExisting(_ options: VaultStoreOptions, readOnly: Bool) throws -> PostgreSQLVaultStore {
        let connection = try connect(options)
        return try PostgreSQLError.guarded {
            guard try hasVault(connection) else {
                let shown = options.location.displayName
                throw TokenVaultError(.inputMissing, "no vault at \(shown) (create one with `tokenvault init --vault \(shown)`)")
            }
            if readOnly { try connection.execute("SET default_transaction_read_only = on") }
            let store = PostgreSQLVaultStore(url: url(options), connection: connection)
            let version = try store.schemaVersion()
            guard version <= PostgreSQLSchema.latestVersion else {
                throw TokenVaultError(
                    .vaultCorrupt, "the vault has schema v\(version), newer than this tokenvault knows (v\(PostgreSQLSchema.latestVersion))"
                )
            }
            return store
        }
    }

    /// Creates the schema and the first keys in one transaction. Several processes may create
    /// at once: the first wins, the others open what it made.
    static func create(_ options: VaultStoreOptions, genesis: VaultGenesis) throws -> PostgreSQLVaultStore {
        let connection = try connect(options)
        let store = PostgreSQLVaultStore(url: url(options), connection: connection)
        try PostgreSQLError.guarded {
            try connection.transaction {
                try connection.query("SELECT pg_advisory_xact_lock($1)", [String(PostgreSQLSchema.schemaLockKey)])
                guard try !hasVault(connection) else { return }
                // Format-preserving tokens are not UUIDs: this store keeps tokens in a `uuid`
                // column and looks them up by their UUID text, so it takes UUID vaults only.
                guard genesis.tokenFormat == .uuid else {
                    throw TokenVaultError(
                        .usage, "format-preserving tokens are available on SQLite vaults only; a PostgreSQL vault uses UUID tokens")
                }
                try store.migrate()
                try connection.query(
                    "INSERT INTO vault_meta(key, value) VALUES ('vault_id', $1), ('created_at', $2), ('live_tokens', '0'), ('active_data_key', $3), ('fingerprint_key', $4)",
                    [genesis.vaultID, genesis.createdAt, String(genesis.dataKey.version), String(genesis.fingerprintKey.version)])
                try connection.query(
                    "INSERT INTO data_keys(version, wrapped, created_at) VALUES ($1, $2, $3)",
                    [String(genesis.dataKey.version), byteaLiteral(genesis.dataKey.wrapped), genesis.dataKey.createdAt])
                try connection.query(
                    "INSERT INTO fingerprint_keys(version, wrapped, created_at) VALUES ($1, $2, $3)",
                    [
                        String(genesis.fingerprintKey.version), byteaLiteral(genesis.fingerprintKey.wrapped),
                        genesis.fingerprintKey.createdAt,
                    ])
            }
        }
        return store
    }

    /// A session-level advisory lock on its own connection: released when the holder is
    /// released, or by the server when the holder's connection dies.
    static func lockJob(named name: String, options: VaultStoreOptions) throws -> any JobLockHolder {
        let connection = try connect(options)
        let key = SHA256.hash(data: Array("tokenvault job \(name)".utf8)).withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
        let taken = try PostgreSQLError.guarded {
            try connection.query("SELECT pg_try_advisory_lock($1)", [String(key)]).text(0, 0) == "t"
        }
        guard taken else {
            throw TokenVaultError(
                .vaultBusy, "the job is already running (advisory lock of job \(name) in \(options.location.displayName))")
        }
        return PostgreSQLJobLock(connection: connection)
    }

    func prepareForWriting() throws {
        try PostgreSQLError.guarded {
            guard try schemaVersion() < PostgreSQLSchema.latestVersion else { return }
            try connection.transaction {
                try connection.query("SELECT pg_advisory_xact_lock($1)", [String(PostgreSQLSchema.schemaLockKey)])
                try migrate()
            }
        }
    }

    /// Applies the migrations this database lacks (inside the caller's transaction).
    private func migrate() throws {
        try connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at text NOT NULL)")
        let current = try schemaVersion()
        for migration in PostgreSQLSchema.migrations where migration.version > current {
            try connection.execute(migration.sql)
            try connection.query(
                "INSERT INTO schema_migrations(version, applied_at) VALUES ($1, $2)",
                [String(migration.version), Timestamp.iso8601(Date())])
        }
    }

    func schemaVersion() throws -> Int {
        try PostgreSQLError.guarded {
            guard try connection.integer("SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0 ELSE 1 END") == 1 else {
                return 0
            }
            return Int(try connection.integer("SELECT coalesce(max(version), 0) FROM schema_migrations") ?? 0)
        }
    }

    // MARK: - Metadata and counts

    func metaInteger(_ key: String) throws -> Int {
        Int(try connection.integer("SELECT value::bigint FROM vault_meta WHERE key = $1", [key]) ?? 0)
    }

    func vaultID() throws -> String {
        try PostgreSQLError.guarded { try connection.query("SELECT value FROM vault_meta WHERE key = 'vault_id'").text(0, 0) ?? "" }
    }

    /// PostgreSQL vaults hold UUID tokens only (`create` refuses the other format).
    func tokenFormat() throws -> TokenFormat {
        try PostgreSQLError.guarded {
            let result = try connection.query("SELECT value FROM vault_meta WHERE key = 'token_format'")
            guard result.rowCount > 0, let text = result.text(0, 0) else { return .uuid }
            guard let format = TokenFormat(rawValue: text) else {
                throw TokenVaultError(.vaultCorrupt, "the vault's token format '\(text)' is unknown to this tokenvault")
            }
            return format
        }
    }

    func liveTokenCount() throws -> Int {
        try PostgreSQLError.guarded { try metaInteger("live_tokens") }
    }

    func instrumentCount() throws -> Int {
        try PostgreSQLError.guarded { Int(try connection.integer("SELECT count(*) FROM instruments") ?? 0) }
    }

    func deletedInstrumentCount() throws -> Int {
        try PostgreSQLError.guarded { Int(try connection.integer("SELECT count(*) FROM instruments WHERE deleted_at IS NOT NULL") ?? 0) }
    }

    func recordCountsByDataKey() throws -> [Int: Int] {
        try PostgreSQLError.guarded {
            let result = try connection.query("SELECT data_key, count(*) FROM instruments WHERE sealed IS NOT NULL GROUP BY data_key")
            var perVersion: [Int: Int] = [:]
            for row in 0..<result.rowCount { perVersion[result.int(row, 0)] = result.int(row, 1) }
            return perVersion
        }
    }

    /// A `bytea` parameter in text form.
    static func byteaLiteral(_ bytes: some Sequence<UInt8>) -> String { "\\x" + bytes.hexString }
    func byteaLiteral(_ bytes: some Sequence<UInt8>) -> String { Self.byteaLiteral(bytes) }
}

/// A held advisory job lock: closing its connection releases it.
final class PostgreSQLJobLock: JobLockHolder {
    private let connection: PostgreSQLConnection
    init(connection: PostgreSQLConnection) { self.connection = connection }
}
