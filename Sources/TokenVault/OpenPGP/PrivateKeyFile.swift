import Foundation

/// Opens files that hold secrets (a secret key, a passphrase) the way the master key is opened.
///
/// A file that group or others can read is refused, like the master-key file: a secret that
/// other accounts can read is no longer secret, and running with it would hide that.
enum PrivateKeyFile {
    /// Opens `path` for reading after checking its mode.
    ///
    /// - Parameter what: what the file is for, naming it in messages (`--pgp-secret-key`).
    /// - Returns: an open descriptor the caller closes.
    /// - Throws: `keyMissing` when it cannot be opened, `keyWrong` when others can read it.
    static func open(_ path: String, what: String) throws -> Int32 {
        let fd = Foundation.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw TokenVaultError(.keyMissing, "\(what) \(path) cannot be opened: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw TokenVaultError(.keyMissing, "\(what) \(path) is not a regular file")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            close(fd)
            throw TokenVaultError(
                .keyWrong, "\(what) \(path) has mode \(String(mode, radix: 8)): readable by group or others; chmod 600 it")
        }
        return fd
    }

    /// The first line of a passphrase file, without its line break.
    static func readPassphrase(_ path: String) throws -> SecretBytes {
        let fd = try open(path, what: "the passphrase file")
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= 64 * 1024 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw TokenVaultError(.io, "cannot read the passphrase file \(path)") }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        chunk.withUnsafeMutableBytes { explicit_bzero($0.baseAddress!, $0.count) }
        let line = bytes.prefix { $0 != 0x0A && $0 != 0x0D }
        let secret = SecretBytes(Array(line))
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } }
        guard secret.count > 0 else {
            throw TokenVaultError(.keyMissing, "the passphrase file \(path) is empty")
        }
        return secret
    }
}
