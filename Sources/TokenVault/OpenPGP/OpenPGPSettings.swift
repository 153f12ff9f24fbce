/// How a command reads OpenPGP inputs and writes OpenPGP outputs (SPEC §11).
///
/// Holds paths and key names only: the passphrase and the key are read when a keyring is opened.
public struct OpenPGPSettings: Sendable, Hashable {
    /// A file holding the secret key that decrypts the inputs; imported into a temporary keyring.
    /// Without it the user's GnuPG keyring (`GNUPGHOME`, else `~/.gnupg`) is used.
    public var secretKeyFile: String?
    /// A file whose first line is the secret key's passphrase.
    public var passphraseFile: String?
    /// When set, an input must be signed by this key (exit 65 otherwise).
    public var requiredSigner: OpenPGPKeyID?
    /// When not empty, outputs are OpenPGP messages for these recipients.
    public var recipients: [OpenPGPRecipient] = []

    public init(
        secretKeyFile: String? = nil, passphraseFile: String? = nil,
        requiredSigner: OpenPGPKeyID? = nil, recipients: [OpenPGPRecipient] = []
    ) {
        self.secretKeyFile = secretKeyFile
        self.passphraseFile = passphraseFile
        self.requiredSigner = requiredSigner
        self.recipients = recipients
    }

    /// True when outputs are to be encrypted.
    public var encryptsOutput: Bool { !recipients.isEmpty }
}
