import ArgumentParser
import TokenVault

/// OpenPGP in and out (SPEC §11): shared by `tokenize` and `detokenize`.
struct OpenPGPOptions: ParsableArguments {
    /// The secret key and passphrase that decrypt inputs, as `verify` and `delete` take them.
    @OptionGroup var keys: OpenPGPDecryptionOptions

    @Option(
        help: ArgumentHelp(
            "Fail (65) unless every input is an OpenPGP message with a good signature by this key (fingerprint or 16-digit key id).",
            valueName: "keyid"))
    var pgpRequireSignature: String?

    @Option(
        name: .customLong("encrypt-to"),
        help: ArgumentHelp(
            "Write outputs as OpenPGP messages for this key: a fingerprint in the GnuPG keyring or a public-key file (repeatable).",
            valueName: "key"))
    var encryptTo: [String] = []

    func validate() throws {
        if let pgpRequireSignature {
            do { _ = try OpenPGPKeyID(parsing: pgpRequireSignature) } catch let error as TokenVaultError {
                throw ValidationError("--pgp-require-signature: \(error.message)")
            }
        }
        for recipient in encryptTo {
            do { _ = try OpenPGPRecipient(parsing: recipient) } catch let error as TokenVaultError {
                throw ValidationError(error.message)
            }
        }
    }

    /// The settings these options describe.
    func settings() throws -> OpenPGPSettings {
        try OpenPGPSettings(
            secretKeyFile: keys.pgpSecretKey, passphraseFile: keys.pgpPassphraseFile,
            requiredSigner: pgpRequireSignature.map(OpenPGPKeyID.init(parsing:)),
            recipients: encryptTo.map(OpenPGPRecipient.init(parsing:)))
    }
}

/// The keys that read OpenPGP files back (`verify`, `delete`): a run's encrypted inputs and
/// its `--encrypt-to` results go through the same input chain as `tokenize`'s inputs.
struct OpenPGPDecryptionOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A secret key that decrypts OpenPGP inputs and files, imported into a temporary keyring removed afterwards (default: the GnuPG keyring, GNUPGHOME).",
            valueName: "file"))
    var pgpSecretKey: String?

    @Option(help: ArgumentHelp("A file (mode 0600) whose first line is that secret key's passphrase.", valueName: "file"))
    var pgpPassphraseFile: String?

    /// The settings these options describe: keys only (nothing is written encrypted).
    func settings() -> OpenPGPSettings {
        OpenPGPSettings(secretKeyFile: pgpSecretKey, passphraseFile: pgpPassphraseFile)
    }
}
