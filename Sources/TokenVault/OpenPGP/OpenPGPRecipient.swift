/// Someone an output is encrypted for (`--encrypt-to KEY`).
public enum OpenPGPRecipient: Sendable, Hashable, CustomStringConvertible {
    /// A public key in the GnuPG keyring, named by its whole fingerprint (never a user id, which
    /// may match more than one key).
    case fingerprint(OpenPGPKeyID)
    /// A file holding the recipient's public key (binary or armoured), used as it is.
    case keyFile(String)

    /// A whole fingerprint names a key in the keyring; anything else is a key file's path.
    public init(parsing text: String) throws {
        if OpenPGPKeyID.isFingerprint(text) {
            self = .fingerprint(try OpenPGPKeyID(parsing: text))
        } else {
            guard !text.isEmpty, !text.contains("\n") else {
                throw TokenVaultError(.usage, "--encrypt-to takes a fingerprint or a public-key file")
            }
            self = .keyFile(text)
        }
    }

    public var description: String {
        switch self {
        case .fingerprint(let id): id.hex
        case .keyFile(let path): path
        }
    }
}
