import CGPGME

/// One GPGME context: a session with `gpg` on one keyring, used by one thread at a time.
///
/// Owns its `gpgme_ctx_t` and releases it in `deinit`. It works offline (no key server is ever
/// asked) and answers passphrase requests itself (loopback pinentry), so no dialog can appear.
final class OpenPGPContext {
    let handle: gpgme_ctx_t
    /// What the passphrase callback saw; read after an operation has ended.
    let passphrase: PassphraseHook

    /// - Parameters:
    ///   - home: the GnuPG home folder; nil for GnuPG's own (`GNUPGHOME`, else `~/.gnupg`).
    ///   - passphrase: the answer to passphrase requests; nil refuses them.
    init(home: String?, passphrase: SecretBytes?) throws {
        try GPGME.start()
        var context: gpgme_ctx_t?
        let status = gpgme_new(&context)
        guard status == 0, let context else {
            throw TokenVaultError(.io, "OpenPGP: cannot start a GnuPG session: \(GPGME.message(status))")
        }
        handle = context
        self.passphrase = PassphraseHook(secret: passphrase)
        try check(gpgme_set_protocol(handle, GPGME_PROTOCOL_OpenPGP))
        if let home {
            try check(gpgme_ctx_set_engine_info(handle, GPGME_PROTOCOL_OpenPGP, nil, home))
        }
        gpgme_set_offline(handle, 1)
        try check(gpgme_set_pinentry_mode(handle, GPGME_PINENTRY_MODE_LOOPBACK))
        gpgme_set_passphrase_cb(handle, passphraseCallback, Unmanaged.passUnretained(self.passphrase).toOpaque())
    }

    deinit { gpgme_release(handle) }

    private func check(_ status: gpgme_error_t) throws {
        guard status == 0 else {
            throw TokenVaultError(.io, "OpenPGP: cannot set up the GnuPG session: \(GPGME.message(status))")
        }
    }

    /// The key with this fingerprint in the keyring, with its subkeys; nil when there is none.
    func key(fingerprint: String, secret: Bool = false) -> OpenPGPKey? {
        var key: gpgme_key_t?
        guard gpgme_get_key(handle, fingerprint, &key, secret ? 1 : 0) == 0, let key else { return nil }
        return OpenPGPKey(key)
    }
}

/// The passphrase the loopback pinentry hands to `gpg`, and what happened to it.
///
/// Touched by the GPGME thread during an operation and by its owner after it: never at once.
final class PassphraseHook: @unchecked Sendable {
    let secret: SecretBytes?
    /// `gpg` asked for a passphrase.
    var requested = false
    /// `gpg` asked again after the one given: it is wrong.
    var rejected = false

    init(secret: SecretBytes?) { self.secret = secret }
}

/// Answers `gpg`'s passphrase request once; a second request means the passphrase was wrong,
/// and answering again would only retry it.
private func passphraseCallback(
    _ hook: UnsafeMutableRawPointer?, _ uidHint: UnsafePointer<CChar>?, _ info: UnsafePointer<CChar>?,
    _ previousWasBad: Int32, _ fd: Int32
) -> gpgme_error_t {
    guard let hook else { return GPGME.error(GPG_ERR_CANCELED) }
    let state = Unmanaged<PassphraseHook>.fromOpaque(hook).takeUnretainedValue()
    state.requested = true
    if previousWasBad != 0 {
        state.rejected = true
        return GPGME.error(GPG_ERR_CANCELED)
    }
    guard let secret = state.secret else { return GPGME.error(GPG_ERR_CANCELED) }
    let written = secret.withUnsafeBytes { gpgme_io_writen(fd, $0.baseAddress, $0.count) }
    let newline: [UInt8] = [0x0A]
    let ended = newline.withUnsafeBytes { gpgme_io_writen(fd, $0.baseAddress, 1) }
    return written == 0 && ended == 0 ? 0 : GPGME.error(GPG_ERR_CANCELED)
}
