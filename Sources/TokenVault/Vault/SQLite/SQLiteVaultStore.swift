import Foundation

/// The vault in one SQLite file (WAL mode, mode 0600): the embedded default.
///
/// Writers take the file's write lock (`BEGIN IMMEDIATE`); readers never block them.
final class SQLiteVaultStore: VaultStore {
    let location: VaultLocation
    let path: String
    let connection: SQLiteConnection
    let options: VaultStoreOptions
    /// Where re-encryption under a data key has got to (ids below are done): `resealBatch`
    /// continues from there instead of reading every finished record again.
    var resealCursor: (dataKey: Int, afterID: Int64)?
    /// The file opened, so a deleted or replaced vault file is noticed before work is reported.
    let fileIdentity: SQLiteFileIdentity?

    init(path: String, connection: SQLiteConnection, options: VaultStoreOptions) {
        self.location = .sqlite(path: path)
        self.path = path
        self.connection = connection
        self.options = options
        fileIdentity = SQLiteFileIdentity(path: path)
    }

    static func path(_ options: VaultStoreOptions) -> String {
        guard case .sqlite(let path) = options.location else { preconditionFailure("an SQLite store for \(options.location.displayName)") }
        return path
    }

    static func busyMilliseconds(_ options: VaultStoreOptions) -> Int32 {
        Int32(min(options.busyTimeoutSeconds * 1000, Double(Int32.max)))
    }

    // MARK: - Opening

    static func exists(_ options: VaultStoreOptions) throws -> Bool {
        FileManager.default.fileExists(atPath: path(options))
    }

    static func openExisting(_ options: VaultStoreOptions, readOnly: Bool) throws -> SQLiteVaultStore {
        let path = path(options)
        guard FileManager.default.fileExists(atPath: path) else {
            throw TokenVaultError(.inputMissing, "no vault at \(path) (create one with `tokenvault init --vault \(path)`)")
        }
        return try SQLiteError.guarded {
            let connection = try SQLiteConnection(
                path: path, create: false, readOnly: readOnly, busyTimeoutMilliseconds: busyMilliseconds(options))
            let version = Int(try connection.integer("PRAGMA user_version") ?? 0)
            guard version <= SQLiteSchema.latestVersion else {
                throw TokenVaultError(
                    .vaultCorrupt, "the vault has schema v\(version), newer than this tokenvault knows (v\(SQLiteSchema.latestVersion))")
            }
            guard version >= 1 else {
                throw TokenVaultError(.vaultCorrupt, "\(path) is not a tokenvault vault")
            }
            return SQLiteVaultStore(path: path, connection: connection, options: options)
        }
    }

    static func create(_ options: VaultStoreOptions, genesis: VaultGenesis) throws -> SQLiteVaultStore {
        let store = try createEmpty(options)
        let connection = store.connection
        return try SQLiteError.guarded {
            try connection.transaction {
                try connection.run(
                    "INSERT INTO vault_meta(key, value) VALUES ('vault_id', ?), ('created_at', ?), ('live_tokens', '0'), ('active_data_key', ?), ('fingerprint_key', ?), ('token_format', ?)",
                    .text(genesis.vaultID), .text(genesis.createdAt),
                    .text(String(genesis.dataKey.version)), .text(String(genesis.fingerprintKey.version)),
                    .text(genesis.tokenFormat.rawValue))
                try connection.run(
                    "INSERT INTO data_keys(version, wrapped, created_at) VALUES (?, ?, ?)",
                    .int(genesis.dataKey.version), .blob(genesis.dataKey.wrapped), .text(genesis.dataKey.createdAt))
                try connection.run(
                    "INSERT INTO fingerprint_keys(version, wrapped, created_at) VALUES (?, ?, ?)",
                    .int(genesis.fingerprintKey.version), .blob(genesis.fingerprintKey.wrapped), .text(genesis.fingerprintKey.createdAt))
            }
            return store
        }
    }

    /// An `flock(2)` on a file beside the vault: the kernel drops it when the holder exits.
    static func lockJob(named name: String, options: VaultStoreOptions) throws -> any JobLockHolder {
        let path = path(options)
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        return try JobLock(path: "\(path).job-\(name).lock")
    }

    func prepareForWriting() throws {
        try SQLiteError.guarded {
            try connection.execute(
                """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = NORMAL;
                PRAGMA foreign_keys = ON;
                PRAGMA temp_store = MEMORY;
                PRAGMA cache_size = -\(options.cacheKiB);
                """)
            let current = try schemaVersion()
            for migration in SQLiteSchema.migrations where migration.version > current {
                try connection.transaction {
                    try connection.execute(migration.sql)
                    try connection.execute("PRAGMA user_version = \(migration.version)")
                }
            }
        }
    }

    func schemaVersion() throws -> Int {
        try SQLiteError.guarded { Int(try connection.integer("PRAGMA user_version") ?? 0) }
    }

    /// The page size the file was created with (fixed at creation; tests check it).
    func pageSize() throws -> Int {
        try SQLiteError.guarded { Int(try connection.integer("PRAGMA page_size") ?? 0) }
    }

    // MARK: - Metadata and counts

    func metaInteger(_ key: String) throws -> Int {
        Int(try connection.integer("SELECT CAST(value AS INTEGER) FROM vault_meta WHERE key = ?", .text(key)) ?? 0)
    }

    func vaultID() throws -> String {
        try SQLiteError.guarded {
            let statement = try connection.prepare("SELECT value FROM vault_meta WHERE key = 'vault_id'")
            return try statement.step() ? statement.text(at: 0) ?? "" : ""
        }
    }

    func tokenFormat() throws -> TokenFormat {
        try SQLiteError.guarded {
            let statement = try connection.prepare("SELECT value FROM vault_meta WHERE key = 'token_format'")
            // Vaults made before token formats existed have no entry: UUIDs.
            guard try statement.step(), let text = statement.text(at: 0) else { return .uuid }
            guard let format = TokenFormat(rawValue: text) else {
                throw TokenVaultError(.vaultCorrupt, "the vault's token format '\(text)' is unknown to this tokenvault")
            }
            return format
        }
    }

    func liveTokenCount() throws -> Int {
        try SQLiteError.guarded { try metaInteger("live_tokens") }
    }

    func instrumentCount() throws -> Int {
        try SQLiteError.guarded { Int(try connection.integer("SELECT count(*) FROM instruments") ?? 0) }
    }

    func deletedInstrumentCount() throws -> Int {
        try SQLiteError.guarded { Int(try connection.integer("SELECT count(*) FROM instruments WHERE deleted_at IS NOT NULL") ?? 0) }
    }

    func recordCountsByDataKey() throws -> [Int: Int] {
        try SQLiteError.guarded {
            var perVersion: [Int: Int] = [:]
            let counts = try connection.prepare("SELECT data_key, count(*) FROM instruments WHERE sealed IS NOT NULL GROUP BY data_key")
            while try counts.step() { perVersion[counts.int(at: 0)] = counts.int(at: 1) }
            return perVersion
        }
    }
}
