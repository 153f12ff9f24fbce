import CGPGME
import Foundation

extension OpenPGPRecipient {
    /// Checks every recipient before anything is written, and returns them as GPGME's
    /// recipient list (one per line; key files after `--file`, passed to `gpg -f`).
    ///
    /// - Throws: `keyMissing` when a fingerprint is not in the keyring or a file holds no public
    ///   key; `keyWrong` when a key cannot encrypt.
    static func gpgmeList(_ recipients: [OpenPGPRecipient], context: OpenPGPContext) throws -> String {
        var fingerprints: [String] = []
        var files: [String] = []
        for recipient in recipients {
            switch recipient {
            case .fingerprint(let id):
                guard let key = context.key(fingerprint: id.hex) else {
                    throw TokenVaultError(.keyMissing, "--encrypt-to \(id): no such public key in the GnuPG keyring")
                }
                if let problem = key.encryptionProblem {
                    throw TokenVaultError(.keyWrong, "--encrypt-to \(id): the key \(problem)")
                }
                fingerprints.append(key.fingerprint)
            case .keyFile(let path):
                try checkKeyFile(path, context: context)
                // Absolute, so that GPGME's list (which trims leading blanks) keeps it whole.
                files.append(URL(fileURLWithPath: path).standardizedFileURL.path)
            }
        }
        var list = fingerprints.map { $0 + "\n" }.joined()
        if !files.isEmpty { list += "--file\n" + files.map { $0 + "\n" }.joined() }
        return list
    }

    /// Lists the keys in a public-key file without importing them.
    private static func checkKeyFile(_ path: String, context: OpenPGPContext) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw TokenVaultError(.keyMissing, "--encrypt-to \(path): not a fingerprint, and no such key file")
        }
        defer { close(fd) }
        var data: gpgme_data_t?
        guard gpgme_data_new_from_fd(&data, fd) == 0, let data else {
            throw TokenVaultError(.io, "OpenPGP: cannot read the key file \(path)")
        }
        defer { gpgme_data_release(data) }
        var problems: [String] = []
        var usable = false
        if gpgme_op_keylist_from_data_start(context.handle, data, 0) == 0 {
            var key: gpgme_key_t?
            while gpgme_op_keylist_next(context.handle, &key) == 0, let listed = key {
                let wrapped = OpenPGPKey(listed)
                if let problem = wrapped.encryptionProblem { problems.append(problem) } else { usable = true }
                key = nil
            }
            gpgme_op_keylist_end(context.handle)
        }
        if usable { return }
        if let problem = problems.first {
            throw TokenVaultError(.keyWrong, "--encrypt-to \(path): the key \(problem)")
        }
        throw TokenVaultError(.keyMissing, "--encrypt-to \(path): the file holds no OpenPGP public key")
    }
}
