import Crypto
import Foundation

/// The key that wraps a vault's data keys. It is never stored in the vault.
public struct MasterKey: Sendable {
    let key: SymmetricKey

    /// A new random 256-bit key.
    public static func generate() -> MasterKey { MasterKey(key: SymmetricKey(size: .bits256)) }

    /// Reads the base64 text of 32 bytes (the format of key files and `TOKENVAULT_MASTER_KEY`).
    ///
    /// - Throws: `keyWrong` when the text is not base64 of exactly 32 bytes. The message says
    ///   where the key came from, never what it was.
    public init(base64 text: String, origin: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = Data(base64Encoded: trimmed), data.count == 32 else {
            throw TokenVaultError(.keyWrong, "the master key from \(origin) is not base64 of 32 bytes")
        }
        key = SymmetricKey(data: data)
    }

    private init(key: SymmetricKey) { self.key = key }

    /// The base64 text, for writing a new key file.
    public var base64: String { key.withUnsafeBytes { Data($0).base64EncodedString() } }

    /// A short public identifier of this key (not secret: an HMAC of a constant under it),
    /// so that `keys status` and the audit can say which master key was used.
    public var identifier: String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("tokenvault master key id".utf8), using: key)
        return mac.prefix(6).hexString
    }
}

/// Where the master key comes from, in the order SPEC §2 gives.
public enum MasterKeySource: Sendable, Equatable {
    /// `--master-key-file PATH`.
    case file(String)
    /// `TOKENVAULT_MASTER_KEY`.
    case environment
    /// `<vault>.key` beside the vault, created with a new vault.
    case besideVault

    /// Picks the source: the option, else the environment, else the key file beside the vault.
    public static func resolve(keyFile: String?, environment: [String: String]) -> MasterKeySource {
        if let keyFile { return .file(keyFile) }
        if let value = environment["TOKENVAULT_MASTER_KEY"], !value.isEmpty { return .environment }
        return .besideVault
    }

    /// The key file beside a vault.
    public static func keyFilePath(forVault vault: String) -> String { vault + ".key" }

    /// Loads the key.
    ///
    /// - Throws: `keyMissing` when the source has no key.
    func load(vaultPath: String, environment: [String: String]) throws -> MasterKey {
        switch self {
        case .environment:
            return try MasterKey(base64: environment["TOKENVAULT_MASTER_KEY"] ?? "", origin: "TOKENVAULT_MASTER_KEY")
        case .file(let path):
            return try MasterKey.read(path: path)
        case .besideVault:
            let path = MasterKeySource.keyFilePath(forVault: vaultPath)
            guard FileManager.default.fileExists(atPath: path) else {
                throw TokenVaultError(
                    .keyMissing, "no master key: give --master-key-file or TOKENVAULT_MASTER_KEY (no \(path) beside the vault)")
            }
            return try MasterKey.read(path: path)
        }
    }
}

extension MasterKey {
    /// Reads a key file (base64 of 32 bytes).
    ///
    /// - Throws: `keyMissing` when it cannot be read; `keyWrong` when group or others may access
    ///   it (as ssh refuses such a private key: a key others can read is no longer secret), so
    ///   that even commands for which a key is optional refuse it rather than ignore it.
    public static func read(path: String) throws -> MasterKey {
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            throw TokenVaultError(
                .keyWrong,
                "the master key file \(path) has mode \(String(info.st_mode & 0o777, radix: 8).leftPadded(to: 4)): "
                    + "group or others can access it; refusing it (chmod 600 \(path))")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenVaultError(.keyMissing, "cannot read the master key file \(path)")
        }
        return try MasterKey(base64: String(decoding: data, as: UTF8.self), origin: path)
    }

    /// Writes the key to a new file of mode 0600; fails rather than overwrite one.
    func write(newFile path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw TokenVaultError(.cannotCreateOutput, "cannot create the key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let text = Array((base64 + "\n").utf8)
        guard text.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, $0.count) }) == text.count, fsync(fd) == 0 else {
            throw TokenVaultError(.io, "cannot write the key file \(path)")
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
