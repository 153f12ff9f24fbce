import Crypto
import Foundation
import Logging

/// An open vault (SPEC §4): a store (`VaultStore`) and the keys unwrapped from it.
///
/// The store keeps ciphertext, fingerprints and wrapped keys; this type holds the master key and
/// the unwrapped keys, and does all the cryptography. Opening checks the master key before any
/// write: a wrong key changes nothing. Not `Sendable`: the owner uses it from one thread at a time.
public final class Vault {
    public let location: VaultLocation
    let store: any VaultStore
    /// The unwrapped keys; replaced only by the key operations (Vault+Lifecycle).
    var crypto: VaultCrypto
    var masterKey: MasterKey
    /// How card tokens look in this vault, fixed at creation (SPEC §11).
    public let tokenFormat: TokenFormat
    private let logger: Logger

    /// How a command opens the vault.
    public struct Options: Sendable {
        /// The vault: a file path or a `postgresql://` URL.
        public var path: String
        public var keySource: MasterKeySource
        public var environment: [String: String]
        /// Create the vault (and, for `besideVault`, its key file) when it does not exist.
        public var createIfMissing: Bool
        public var busyTimeoutSeconds: Double
        /// The store's page cache, in bytes.
        public var cacheBytes: Int
        /// The card-token format of a vault this creates (`init --token-format`).
        public var tokenFormat: TokenFormat = .uuid

        public init(
            path: String, keySource: MasterKeySource, environment: [String: String],
            createIfMissing: Bool, busyTimeoutSeconds: Double = 10, cacheBytes: Int = 128 << 20
        ) {
            self.path = path
            self.keySource = keySource
            self.environment = environment
            self.createIfMissing = createIfMissing
            self.busyTimeoutSeconds = busyTimeoutSeconds
            self.cacheBytes = cacheBytes
        }

        public var location: VaultLocation { VaultLocation(path) }

        var storeOptions: VaultStoreOptions {
            VaultStoreOptions(location: location, busyTimeoutSeconds: busyTimeoutSeconds, cacheBytes: cacheBytes)
        }

        /// The master key, from the source; a key file beside a server is refused.
        func loadMasterKey() throws -> MasterKey {
            if keySource == .besideVault && !location.allowsKeyFileBeside {
                throw TokenVaultError(
                    .keyMissing, "no master key: give --master-key-file or TOKENVAULT_MASTER_KEY (a server vault has no key file beside it)"
                )
            }
            return try keySource.load(vaultPath: path, environment: environment)
        }
    }

    /// True when a vault exists at the options' location.
    public static func exists(_ options: Options) throws -> Bool {
        try options.location.storeType().exists(options.storeOptions)
    }

    /// Opens the vault, creating it when allowed.
    ///
    /// - Throws: `keyMissing`/`keyWrong` (before any change), `inputMissing` when the vault does
    ///   not exist and may not be created, `vaultCorrupt`, `vaultBusy`.
    public static func open(_ options: Options, logger: Logger) throws -> Vault {
        let storeType = try options.location.storeType()
        guard try storeType.exists(options.storeOptions) else {
            guard options.createIfMissing else {
                let shown = options.location.displayName
                throw TokenVaultError(.inputMissing, "no vault at \(shown) (create one with `tokenvault init --vault \(shown)`)")
            }
            return try create(options, storeType: storeType, logger: logger)
        }
        let master = try options.loadMasterKey()
        let store = try storeType.openExisting(options.storeOptions, readOnly: false)
        // The key check comes before any write, migrations included.
        let crypto = try loadKeys(store, master: master)
        try store.prepareForWriting()
        return Vault(
            location: options.location, store: store, crypto: crypto, master: master,
            tokenFormat: try store.tokenFormat(), logger: logger)
    }

    /// Opens the vault's records read-only, for commands that decrypt nothing (`report`,
    /// `audit`, `keys status`): no master key needed and nothing written. A key that is given is
    /// still checked (a wrong one fails with `keyWrong`), and its identifier reported.
    public static func openRecords(_ options: Options) throws -> VaultRecords {
        let store = try options.location.storeType().openExisting(options.storeOptions, readOnly: true)
        let master: MasterKey?
        do {
            master = try options.loadMasterKey()
        } catch let error as TokenVaultError where error.code == .keyMissing {
            master = nil
        }
        if let master { _ = try loadKeys(store, master: master) }
        return VaultRecords(store: store, masterKeyID: master?.identifier)
    }

    private init(
        location: VaultLocation, store: any VaultStore, crypto: VaultCrypto, master: MasterKey,
        tokenFormat: TokenFormat, logger: Logger
    ) {
        self.location = location
        self.tokenFormat = tokenFormat
        self.store = store
        self.crypto = crypto
        self.masterKey = master
        self.logger = logger
    }

    private static func create(_ options: Options, storeType: any VaultStore.Type, logger: Logger) throws -> Vault {
        let location = options.location
        var createdKeyFile: String?
        if case .sqlite(let path) = location {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                } catch {
                    throw TokenVaultError(.cannotCreateOutput, "cannot create the vault's folder \(directory)")
                }
            }
        }
        let master: MasterKey
        if options.keySource == .besideVault && location.allowsKeyFileBeside {
            let keyPath = MasterKeySource.keyFilePath(forVault: options.path)
            if FileManager.default.fileExists(atPath: keyPath) {
                master = try MasterKey.read(path: keyPath)
            } else {
                master = MasterKey.generate()
                try master.write(newFile: keyPath)
                createdKeyFile = keyPath
                logger.warning(
                    "created a master key file beside the new vault; production keys belong elsewhere (a KMS or secrets manager)",
                    metadata: ["key_file": "\(keyPath)", "vault": "\(location.displayName)"])
            }
        } else {
            master = try options.loadMasterKey()
        }
        let now = Timestamp.iso8601(Date())
        let genesis = VaultGenesis(
            vaultID: UUID().uuidString.lowercased(), createdAt: now,
            dataKey: WrappedKey(
                version: 1, wrapped: try VaultCrypto.wrap(SymmetricKey(size: .bits256), purpose: "data-key", version: 1, master: master),
                createdAt: now),
            fingerprintKey: WrappedKey(
                version: 1,
                wrapped: try VaultCrypto.wrap(SymmetricKey(size: .bits256), purpose: "fingerprint-key", version: 1, master: master),
                createdAt: now),
            tokenFormat: options.tokenFormat)
        let store: any VaultStore
        do {
            store = try storeType.create(options.storeOptions, genesis: genesis)
        } catch {
            if let createdKeyFile { try? FileManager.default.removeItem(atPath: createdKeyFile) }
            throw error
        }
        let crypto = try loadKeys(store, master: master)
        logger.info("created a new vault", metadata: ["vault": "\(location.displayName)", "master_key_id": "\(master.identifier)"])
        return Vault(location: location, store: store, crypto: crypto, master: master, tokenFormat: options.tokenFormat, logger: logger)
    }

    /// Unwraps every data key and the current fingerprint key: the master-key check.
    static func loadKeys(_ store: any VaultStore, master: MasterKey) throws -> VaultCrypto {
        var dataKeys: [Int: SymmetricKey] = [:]
        for key in try store.dataKeys() {
            dataKeys[key.version] = try VaultCrypto.unwrap(key.wrapped, purpose: "data-key", version: key.version, master: master)
        }
        let versions = try store.keyVersions()
        guard dataKeys[versions.activeDataKey] != nil, let fingerprint = try store.fingerprintKey(version: versions.fingerprintKey) else {
            throw TokenVaultError(.vaultCorrupt, "the vault's key tables are incomplete")
        }
        let fingerprintKey = try VaultCrypto.unwrap(
            fingerprint.wrapped, purpose: "fingerprint-key", version: fingerprint.version, master: master)
        return VaultCrypto(
            dataKeys: dataKeys, activeDataKey: versions.activeDataKey, fingerprintKey: fingerprintKey,
            fingerprintKeyVersion: fingerprint.version)
    }

    /// The public identifier of the master key in use (not the key).
    public var masterKeyIdentifier: String { masterKey.identifier }

    /// The vault's records, read through this open vault.
    public var records: VaultRecords { VaultRecords(store: store, masterKeyID: masterKey.identifier) }

    /// Live (not deleted) tokens.
    public func tokenCount() throws -> Int { try store.liveTokenCount() }

    /// Appends an audit record. `details` are counts and names, never sensitive values.
    public func audit(command: String, jobID: String?, details: [(String, String)]) throws {
        try store.appendAudit(
            AuditEntry(
                at: Timestamp.iso8601(Date()), user: ProcessIdentity.user, host: ProcessIdentity.host,
                command: command, jobID: jobID, details: JSONText.object(details)))
    }
}
