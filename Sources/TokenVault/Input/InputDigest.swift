import Crypto
import Foundation

/// The SHA-256 and size of an input file's raw bytes: how the vault recognises a file it has
/// seen, and how a reused job id is matched to the inputs of its earlier run (SPEC §7, §10).
public struct InputDigest: Sendable, Equatable {
    public var sha256: String
    public var bytes: Int

    public init(sha256: String, bytes: Int) {
        self.sha256 = sha256
        self.bytes = bytes
    }

    /// Hashes a file in one pass (standard input cannot be hashed ahead of the run).
    ///
    /// - Throws: `inputMissing` when it cannot be opened, `io` when a read fails.
    public static func of(path: String) throws -> InputDigest {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TokenVaultError(.inputMissing, "cannot open input \(path)")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes = 0
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw TokenVaultError(.io, "cannot read input \(path)")
            }
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
            bytes += chunk.count
        }
        return InputDigest(sha256: hasher.finalize().hexString, bytes: bytes)
    }
}
