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
            return
        }
        let keyFD = try PrivateKeyFile.open(keyFile, what: "the secret key file")
        defer { Foundation.close(keyFD) }
        home = try Self.makeTemporaryHome()
        isTemporary = true
        do {
            try importSecretKey(from: keyFD, path: keyFile)
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
        try? FileManager.default.removeItem(atPath: home)
    }

    private func importSecretKey(from fd: Int32, path: String) throws {
        let context = try makeContext()
        var data: gpgme_data_t?
        guard gpgme_data_new_from_fd(&data, fd) == 0, let data else {
            throw TokenVaultError(.io, "OpenPGP: cannot read the secret key file \(path)")
        }
        defer { gpgme_data_release(data) }
        let status = gpgme_op_import(context.handle, data)
        let imported = gpgme_op_import_result(context.handle).map { result in
            Int(result.pointee.secret_imported) + Int(result.pointee.secret_unchanged)
        } ?? 0
        guard status == 0, imported > 0 else {
            throw TokenVaultError(.keyMissing, "the secret key file \(path) holds no OpenPGP secret key")
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
