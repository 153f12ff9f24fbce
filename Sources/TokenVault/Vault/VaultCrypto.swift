import Crypto
import Foundation

/// The unwrapped keys of an open vault and the operations the workers need of them.
///
/// `Sendable`, immutable: every worker uses the same instance concurrently.
struct VaultCrypto: Sendable {
    /// Data keys by version; `activeDataKey` seals new records.
    let dataKeys: [Int: SymmetricKey]
    let activeDataKey: Int
    let fingerprintKeyVersion: Int
    /// The fingerprint key itself, for rewrapping.
    let fingerprintKey: SymmetricKey
    /// HMAC-SHA256 already keyed with the fingerprint key: copying it skips the key setup.
    private let keyedHMAC: HMAC<SHA256>

    init(dataKeys: [Int: SymmetricKey], activeDataKey: Int, fingerprintKey: SymmetricKey, fingerprintKeyVersion: Int) {
        self.dataKeys = dataKeys
        self.activeDataKey = activeDataKey
        self.fingerprintKeyVersion = fingerprintKeyVersion
        self.fingerprintKey = fingerprintKey
        keyedHMAC = HMAC<SHA256>(key: fingerprintKey)
    }

    /// The dedup fingerprint of an identity (`card:<digits>`, `iban:<IBAN>`, ...).
    func fingerprint(_ identity: [UInt8]) -> Fingerprint {
        var mac = keyedHMAC
        mac.update(data: identity)
        return mac.finalize().withUnsafeBytes { Fingerprint($0) }
    }

    /// Seals a payload under the active data key with AES-256-GCM; the token and kind are the
    /// associated data, so a ciphertext moved to another token fails to open.
    ///
    /// - Parameter nonce: 12 random bytes.
    /// - Returns: nonce ‖ ciphertext ‖ tag.
    func seal(_ payload: [UInt8], token: Token, kind: InstrumentKind, nonce: UnsafeRawBufferPointer) throws -> Data {
        let box = try AES.GCM.seal(
            payload, using: dataKeys[activeDataKey]!, nonce: AES.GCM.Nonce(data: nonce),
            authenticating: VaultCrypto.associatedData(token: token, kind: kind))
        return box.combined!
    }

    /// Opens a sealed record.
    ///
    /// - Throws: `vaultCorrupt` when the key version is unknown or the record fails authentication.
    func open(_ sealed: [UInt8], token: Token, kind: InstrumentKind, keyVersion: Int) throws -> [UInt8] {
        guard let key = dataKeys[keyVersion] else {
            throw TokenVaultError(.vaultCorrupt, "a record is sealed under data key v\(keyVersion), which the vault does not hold")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return Array(try AES.GCM.open(box, using: key, authenticating: VaultCrypto.associatedData(token: token, kind: kind)))
        } catch {
            throw TokenVaultError(.vaultCorrupt, "a record of token \(token) fails authentication")
        }
    }

    static func associatedData(token: Token, kind: InstrumentKind) -> [UInt8] {
        var ad = Array("tokenvault.v1".utf8)
        token.withBytes { ad.append(contentsOf: $0) }
        ad.append(UInt8(kind.storedValue))
        return ad
    }

    // MARK: - Key wrapping

    /// Wraps a data or fingerprint key under the master key; the purpose and version are bound in.
    static func wrap(_ key: SymmetricKey, purpose: String, version: Int, master: MasterKey) throws -> [UInt8] {
        let bytes = key.withUnsafeBytes { Array($0) }
        let box = try AES.GCM.seal(bytes, using: master.key, authenticating: Array("tokenvault \(purpose) v\(version)".utf8))
        return Array(box.combined!)
    }

    /// Unwraps a key.
    ///
    /// - Throws: `keyWrong` when the master key is not the one that wrapped it.
    static func unwrap(_ wrapped: [UInt8], purpose: String, version: Int, master: MasterKey) throws -> SymmetricKey {
        do {
            let box = try AES.GCM.SealedBox(combined: wrapped)
            let bytes = try AES.GCM.open(box, using: master.key, authenticating: Array("tokenvault \(purpose) v\(version)".utf8))
            return SymmetricKey(data: bytes)
        } catch {
            throw TokenVaultError(.keyWrong, "the master key does not open this vault (it was created or rewrapped with another key)")
        }
    }
}
