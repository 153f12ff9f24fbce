import Crypto
import Foundation
import Logging

/// An open SQLite vault (SPEC §4): schema, keys, run records and the audit trail.
///
/// Opening checks the master key before anything else; a wrong key changes nothing.
/// Not `Sendable`: the owner uses it from one thread at a time.
public final class Vault {
    public let path: String
    let connection: SQLiteConnection
    /// The unwrapped keys; replaced only by the key operations (Vault+Lifecycle).
    var crypto: VaultCrypto
    var masterKey: MasterKey
    private let logger: Logger

    /// How a command opens the vault.
    public struct Options: Sendable {
        public var path: String
        public var keySource: MasterKeySource
        public var environment: [String: String]
        /// Create the vault (and, for `besideVault`, its key file) when it does not exist.
        public var createIfMissing: Bool
        public var busyTimeoutSeconds: Double
        /// sqlite3's page cache, in bytes.
        public var cacheBytes: Int

        public init(
            path: String, keySource: MasterKeySource, environment: [String: String],
            createIfMissing: Bool, busyTimeoutSeconds: Double = 10, cacheBytes: Int = 192 << 20
        ) {
            self.path = path
            self.keySource = keySource
            self.environment = environment
            self.createIfMissing = createIfMissing
            self.busyTimeoutSeconds = busyTimeoutSeconds
            self.cacheBytes = cacheBytes
        }
    }

    /// Opens the vault, creating it when allowed.
    ///
    /// - Throws: `keyMissing`/`keyWrong` (before any change), `inputMissing` when the vault does
    ///   not exist and may not be created, `vaultCorrupt`, `vaultBusy`.
    public static func open(_ options: Options, logger: Logger) throws -> Vault {
        let exists = FileManager.default.fileExists(atPath: options.path)
        if !exists {
            guard options.createIfMissing else {
                throw TokenVaultError(.inputMissing, "no vault at \(options.path) (create one with `tokenvault init --vault \(options.path)`)")
            }
            return try create(options, logger: logger)
        }
        let master = try options.keySource.load(vaultPath: options.path, environment: options.environment)
        do {
            let connection = try SQLiteConnection(
                path: options.path, create: false, busyTimeoutMilliseconds: Int32(options.busyTimeoutSeconds * 1000))
            let version = try connection.integer("PRAGMA user_version") ?? 0
            guard version <= VaultSchema.latestVersion else {
                throw TokenVaultError(.vaultCorrupt, "the vault has schema v\(version), newer than this tokenvault knows (v\(VaultSchema.latestVersion))")
            }
            guard version >= 1 else {
                throw TokenVaultError(.vaultCorrupt, "\(options.path) is not a tokenvault vault")
            }
            // The key check comes before any write, migrations included.
            let crypto = try loadKeys(connection, master: master)
            try configure(connection, options: options)
            try migrate(connection)
            return Vault(path: options.path, connection: connection, crypto: crypto, master: master, logger: logger)
        } catch let error as SQLiteError {
            throw error.asTokenVaultError
        }
    }

    private init(path: String, connection: SQLiteConnection, crypto: VaultCrypto, master: MasterKey, logger: Logger) {
        self.path = path
        self.connection = connection
        self.crypto = crypto
        self.masterKey = master
        self.logger = logger
    }

    private static func create(_ options: Options, logger: Logger) throws -> Vault {
        let path = options.path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw TokenVaultError(.cannotCreateOutput, "cannot create the vault's folder \(directory)")
            }
        }
        let master: MasterKey
        var createdKeyFile: String?
        if options.keySource == .besideVault {
            let keyPath = MasterKeySource.keyFilePath(forVault: path)
            if FileManager.default.fileExists(atPath: keyPath) {
                master = try MasterKey.read(path: keyPath)
            } else {
                master = MasterKey.generate()
                try master.write(newFile: keyPath)
                createdKeyFile = keyPath
                logger.warning(
                    "created a master key file beside the new vault; production keys belong elsewhere (a KMS or secrets manager)",
                    metadata: ["key_file": "\(keyPath)", "vault": "\(path)"])
            }
        } else {
            master = try options.keySource.load(vaultPath: path, environment: options.environment)
        }
        // Create the file with mode 0600 before sqlite3 opens it: the -wal and -shm files take its mode.
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if let createdKeyFile { try? FileManager.default.removeItem(atPath: createdKeyFile) }
            throw TokenVaultError(.cannotCreateOutput, "cannot create the vault \(path): \(String(cString: strerror(errno)))")
        }
        close(fd)
        do {
            let connection = try SQLiteConnection(path: path, create: false, busyTimeoutMilliseconds: Int32(options.busyTimeoutSeconds * 1000))
            // 64 KiB pages: the two random-key indexes are searched and split far less often than
            // with 4 KiB pages (measured: ~15% more rows/s into a fresh vault). Fixed at creation.
            try connection.execute("PRAGMA page_size = 65536")
            try configure(connection, options: options)
            try migrate(connection)
            try connection.transaction {
                let now = Timestamp.iso8601(Date())
                try connection.run("INSERT INTO vault_meta(key, value) VALUES ('vault_id', ?), ('created_at', ?), ('live_tokens', '0'), ('active_data_key', '1'), ('fingerprint_key', '1')",
                                   .text(UUID().uuidString.lowercased()), .text(now))
                try connection.run("INSERT INTO data_keys(version, wrapped, created_at) VALUES (1, ?, ?)",
                                   .blob(VaultCrypto.wrap(SymmetricKey(size: .bits256), purpose: "data-key", version: 1, master: master)), .text(now))
                try connection.run("INSERT INTO fingerprint_keys(version, wrapped, created_at) VALUES (1, ?, ?)",
                                   .blob(VaultCrypto.wrap(SymmetricKey(size: .bits256), purpose: "fingerprint-key", version: 1, master: master)), .text(now))
            }
            let crypto = try loadKeys(connection, master: master)
            logger.info("created a new vault", metadata: ["vault": "\(path)", "master_key_id": "\(master.identifier)"])
            return Vault(path: path, connection: connection, crypto: crypto, master: master, logger: logger)
        } catch let error as SQLiteError {
            throw error.asTokenVaultError
        }
    }

    private static func configure(_ connection: SQLiteConnection, options: Options) throws {
        try connection.execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA foreign_keys = ON;
            PRAGMA temp_store = MEMORY;
            PRAGMA cache_size = -\(max(2048, options.cacheBytes / 1024));
            """)
    }

    private static func migrate(_ connection: SQLiteConnection) throws {
        let current = Int(try connection.integer("PRAGMA user_version") ?? 0)
        for migration in VaultSchema.migrations where migration.version > current {
            try connection.transaction {
                try connection.execute(migration.sql)
                try connection.execute("PRAGMA user_version = \(migration.version)")
            }
        }
    }

    /// Unwraps every data key and the current fingerprint key: the master-key check.
    static func loadKeys(_ connection: SQLiteConnection, master: MasterKey) throws -> VaultCrypto {
        var dataKeys: [Int: SymmetricKey] = [:]
        let rows = try connection.prepare("SELECT version, wrapped FROM data_keys")
        while try rows.step() {
            let version = rows.int(at: 0)
            dataKeys[version] = try VaultCrypto.unwrap(rows.blob(at: 1) ?? [], purpose: "data-key", version: version, master: master)
        }
        let active = Int(try connection.integer("SELECT CAST(value AS INTEGER) FROM vault_meta WHERE key = 'active_data_key'") ?? 0)
        let fingerprintVersion = Int(try connection.integer("SELECT CAST(value AS INTEGER) FROM vault_meta WHERE key = 'fingerprint_key'") ?? 0)
        let wrapped = try connection.prepare("SELECT wrapped FROM fingerprint_keys WHERE version = ?")
        wrapped.bind(fingerprintVersion, at: 1)
        guard dataKeys[active] != nil, try wrapped.step(), let fingerprintWrapped = wrapped.blob(at: 0) else {
            throw TokenVaultError(.vaultCorrupt, "the vault's key tables are incomplete")
        }
        let fingerprintKey = try VaultCrypto.unwrap(fingerprintWrapped, purpose: "fingerprint-key", version: fingerprintVersion, master: master)
        return VaultCrypto(dataKeys: dataKeys, activeDataKey: active, fingerprintKey: fingerprintKey, fingerprintKeyVersion: fingerprintVersion)
    }

    /// The public identifier of the master key in use (not the key).
    public var masterKeyIdentifier: String { masterKey.identifier }

    // MARK: - Counts and runs

    /// Live (not deleted) tokens, kept as a counter updated in the same transactions as inserts.
    public func tokenCount() throws -> Int {
        Int(try connection.integer("SELECT CAST(value AS INTEGER) FROM vault_meta WHERE key = 'live_tokens'") ?? 0)
    }

    /// Starts a run, or takes up the record of a job id that started before (resume).
    public func beginRun(jobID: String, kind: InstrumentKind, startedAt: Date) throws -> RunRecord {
        try guarded {
            try connection.transaction {
                let existing = try connection.prepare("SELECT id, kind, tokens_before FROM runs WHERE job_id = ?")
                existing.bind(jobID, at: 1)
                if try existing.step() {
                    let id = existing.int64(at: 0)
                    guard existing.text(at: 1) == kind.rawValue else {
                        throw TokenVaultError(.usage, "job id \(jobID) was used for \(existing.text(at: 1) ?? "?") rows; pick another job id")
                    }
                    let before = existing.int(at: 2)
                    try connection.run("UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?", .integer(id))
                    return RunRecord(id: id, jobID: jobID, kind: kind, tokensBefore: before, resumed: true)
                }
                let before = try tokenCount()
                try connection.run("INSERT INTO runs(job_id, kind, status, started_at, tokens_before) VALUES (?, ?, 'running', ?, ?)",
                                   .text(jobID), .text(kind.rawValue), .text(Timestamp.iso8601(startedAt)), .int(before))
                return RunRecord(id: connection.lastInsertedRowID, jobID: jobID, kind: kind, tokensBefore: before, resumed: false)
            }
        }
    }

    /// Records how a run ended, with its report and inputs.
    func finishRun(_ run: RunRecord, report: ReconciliationReport, reportJSON: String) throws {
        try guarded {
            try connection.transaction {
                try connection.run("UPDATE runs SET status = ?, finished_at = ?, tokens_after = ?, report = ? WHERE id = ?",
                                   .text(report.status.rawValue), .text(report.finishedAt), .int(report.vault.tokensAfter),
                                   .text(reportJSON), .integer(run.id))
                try connection.run("DELETE FROM run_inputs WHERE run_id = ?", .integer(run.id))
                for (position, input) in report.inputs.enumerated() {
                    try connection.run("INSERT INTO run_inputs(run_id, position, path, sha256, bytes, rows) VALUES (?, ?, ?, ?, ?, ?)",
                                       .integer(run.id), .int(position), .text(input.path), .text(input.sha256), .int(input.bytes), .int(input.rows))
                }
            }
        }
    }

    /// Appends an audit record. `details` are counts and names, never sensitive values.
    public func audit(command: String, jobID: String?, details: [(String, String)]) throws {
        try guarded {
            try connection.run("INSERT INTO audit(at, os_user, host, command, job_id, details) VALUES (?, ?, ?, ?, ?, ?)",
                               .text(Timestamp.iso8601(Date())), .text(ProcessIdentity.user), .text(ProcessIdentity.host),
                               .text(command), .optionalText(jobID), .text(JSONText.object(details)))
        }
    }

    /// Runs `body`, turning sqlite3 errors into command errors.
    func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SQLiteError { throw error.asTokenVaultError }
    }
}
