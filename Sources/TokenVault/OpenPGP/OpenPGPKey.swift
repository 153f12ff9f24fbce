import CGPGME

/// A key from a GPGME key listing; owns its reference and releases it in `deinit`.
final class OpenPGPKey {
    let handle: gpgme_key_t

    init(_ handle: gpgme_key_t) { self.handle = handle }

    deinit { gpgme_key_unref(handle) }

    /// The fingerprints of the primary key and of every subkey, primary first.
    var fingerprints: [String] {
        var out: [String] = []
        var subkey = handle.pointee.subkeys
        while let current = subkey {
            if let fpr = current.pointee.fpr { out.append(String(cString: fpr)) }
            subkey = current.pointee.next
        }
        return out
    }

    /// The primary key's fingerprint.
    var fingerprint: String { fingerprints.first ?? "" }

    /// Why the key cannot encrypt, or nil when it can.
    var encryptionProblem: String? {
        let key = handle.pointee
        if key.revoked != 0 { return "is revoked" }
        if key.expired != 0 { return "has expired" }
        if key.disabled != 0 { return "is disabled" }
        if key.invalid != 0 { return "is invalid" }
        if key.can_encrypt == 0 { return "has no usable encryption subkey" }
        return nil
    }
}
