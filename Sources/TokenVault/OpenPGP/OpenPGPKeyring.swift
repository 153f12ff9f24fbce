import CGPGME
import Foundation

/// Where one command's OpenPGP keys live: the user's GnuPG keyring, or a temporary one.
///
/// With `--pgp-secret-key FILE` the key is imported into a new GnuPG home (mode 0700, under
/// `TMPDIR`) that `close()` removes together with its `gpg-agent`, so the user's keyring is
/// never changed. The passphrase is held in memory only and zeroed when the keyring goes.
final class OpenPGPKeyring {
    /// The GnuPG home; nil for GnuPG's own (`GNUPGHOME`, else `~/.gnupg`).
    let home: String?
    private let isTemporary: Bool
    private let passphrase: SecretBytes?
    private var closed = false

    /// Opens the keys `settings` name.
    ///
    /// - Parameter home: the user's GnuPG home when not GnuPG's default (tests).
    /// - Throws: `keyMissing` for an unreadable or empty key file, `keyWrong` for one that
    ///   others can read, `io` when GnuPG cannot run.
    init(settings: OpenPGPSettings, home userHome: String? = nil) throws {
        try GPGME.start()
        passphrase = try settings.passphraseFile.map(PrivateKeyFile.readPassphrase)
        guard let keyFile = settings.secretKeyFile else {
            home = userHome
            isTemporary = false
            if let signer = settings.requiredSigner { _ = try Self.signerKey(signer, home: userHome) }
            return
        }
        let keyFD = try PrivateKeyFile.open(keyFile, what: "the secret key file")
        defer { Foundation.close(keyFD) }
        home = try Self.makeTemporaryHome()
        isTemporary = true
        do {
            try importSecretKey(from: keyFD, path: keyFile)
            // The signer's public key comes from the user's keyring, to check signatures here.
            if let signer = settings.requiredSigner { try importPublicKey(Self.signerKey(signer, home: userHome)) }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// A new session on this keyring.
    func makeContext() throws -> OpenPGPContext {
        try OpenPGPContext(home: home, passphrase: passphrase)
    }

    /// Stops the temporary keyring's agent and removes the keyring; the user's is left alone.
    func close() {
        guard !closed else { return }
        closed = true
        guard isTemporary, let home else { return }
        if let gpgconf = GPGME.enginePath(GPGME_PROTOCOL_GPGCONF) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: gpgconf)
            process.arguments = ["--homedir", home, "--kill", "all"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            if (try? process.run()) != nil { process.waitUntilExit() }
        }
        Self.remove(home)
    }

    /// Removes the temporary home and the secret key in it. The agent deletes its sockets as it
    /// exits, which can make one removal pass fail half-way (ENOENT): try again until it is gone.
    private static func remove(_ home: String) {
        for _ in 0..<100 {
            try? FileManager.default.removeItem(atPath: home)
            var info = stat()
            if lstat(home, &info) != 0 { return }
            usleep(20_000)
        }
    }

    private func importSecretKey(from fd: Int32, path: String) throws {
        let context = try makeContext()
        var data: gpgme_data_t?
        guard gpgme_data_new_from_fd(&data, fd) == 0, let data else {
            throw TokenVaultError(.io, "OpenPGP: cannot read the secret key file \(path)")
        }
        defer { gpgme_data_release(data) }
        let status = gpgme_op_import(context.handle, data)
        let imported =
            gpgme_op_import_result(context.handle).map { result in
                Int(result.pointee.secret_imported) + Int(result.pointee.secret_unchanged)
            } ?? 0
        guard status == 0, imported > 0 else {
            throw TokenVaultError(.keyMissing, "the secret key file \(path) holds no OpenPGP secret key")
        }
    }

    /// The public key a required signature must be made with, exported from the user's keyring.
    ///
    /// - Throws: `keyMissing` when the keyring does not hold it: no signature could be checked.
    private static func signerKey(_ signer: OpenPGPKeyID, home: String?) throws -> [UInt8] {
        let context = try OpenPGPContext(home: home, passphrase: nil)
        guard let key = context.key(fingerprint: signer.hex) else {
            throw TokenVaultError(.keyMissing, "--pgp-require-signature \(signer): no such public key in the GnuPG keyring")
        }
        var data: gpgme_data_t?
        guard gpgme_data_new(&data) == 0, let data else { throw TokenVaultError(.io, "OpenPGP: cannot export a public key") }
        guard gpgme_op_export(context.handle, key.fingerprint, 0, data) == 0 else {
            gpgme_data_release(data)
            throw TokenVaultError(
                .keyMissing, "--pgp-require-signature \(signer): the public key cannot be exported from the GnuPG keyring")
        }
        // Releases the data object and hands over its bytes.
        var length = 0
        guard let buffer = gpgme_data_release_and_get_mem(data, &length) else { return [] }
        defer { gpgme_free(buffer) }
        return Array(UnsafeRawBufferPointer(start: buffer, count: length))
    }

    private func importPublicKey(_ bytes: [UInt8]) throws {
        let context = try makeContext()
        var data: gpgme_data_t?
        let created = bytes.withUnsafeBytes { raw in
            gpgme_data_new_from_mem(&data, raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count, 1)
        }
        guard created == 0, let data else { throw TokenVaultError(.io, "OpenPGP: cannot read a public key") }
        defer { gpgme_data_release(data) }
        guard gpgme_op_import(context.handle, data) == 0 else {
            throw TokenVaultError(.keyMissing, "OpenPGP: cannot import the signer's public key into the temporary keyring")
        }
    }

    /// A new, private GnuPG home. Short, because `gpg-agent` puts its socket in it.
    private static func makeTemporaryHome() throws -> String {
        var base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        if base.isEmpty || base.utf8.count > 60 { base = "/tmp" }
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        var template = Array("\(base)/tokenvault-gpg.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TokenVaultError(.io, "cannot create a temporary GnuPG home under \(base): \(String(cString: strerror(errno)))")
        }
        let path = String(cString: made)
        chmod(path, 0o700)
        return path
    }
}
