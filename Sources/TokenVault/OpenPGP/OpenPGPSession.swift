/// One command's OpenPGP keys: opened on first need, closed (temporary keyring removed) at the end.
///
/// Decryption uses the `--pgp-secret-key` file's temporary keyring when one is given, else the
/// user's; encryption always uses the user's keyring (recipients named by fingerprint live
/// there; key files are used as they are), so importing a secret key never hides a recipient.
/// Used from one thread.
final class OpenPGPSession {
    let settings: OpenPGPSettings
    private let home: String?
    private var decryption: OpenPGPKeyring?
    private var encryption: OpenPGPKeyring?

    /// - Parameter home: the user's GnuPG home when not GnuPG's default (tests).
    init(settings: OpenPGPSettings, home: String? = nil) {
        self.settings = settings
        self.home = home
    }

    deinit { close() }

    /// The keyring that decrypts inputs.
    func decryptionKeyring() throws -> OpenPGPKeyring {
        if let decryption { return decryption }
        let opened = try OpenPGPKeyring(settings: settings, home: home)
        decryption = opened
        return opened
    }

    /// The keyring that encrypts outputs for `settings.recipients`.
    func encryptionKeyring() throws -> OpenPGPKeyring {
        if let encryption { return encryption }
        let opened = try OpenPGPKeyring(settings: OpenPGPSettings(), home: home)
        encryption = opened
        return opened
    }

    /// Checks every `--encrypt-to` recipient, so that a run refused for a key writes nothing.
    ///
    /// - Throws: `keyMissing` or `keyWrong` (see `OpenPGPRecipient.gpgmeList`).
    func checkRecipients() throws {
        guard settings.encryptsOutput else { return }
        _ = try OpenPGPRecipient.gpgmeList(settings.recipients, context: encryptionKeyring().makeContext())
    }

    /// Wraps `sink` so that what is written to it arrives encrypted, when outputs are encrypted.
    ///
    /// - Parameter compress: false when the bytes are gzip already.
    func encrypting(_ sink: any ByteSink, compress: Bool) throws -> any ByteSink {
        guard settings.encryptsOutput else { return sink }
        return try OpenPGPEncryptor(
            downstream: sink, keyring: encryptionKeyring(), recipients: settings.recipients, compress: compress)
    }

    /// Removes the temporary keyring, if one was made.
    func close() {
        decryption?.close()
        encryption?.close()
    }
}
