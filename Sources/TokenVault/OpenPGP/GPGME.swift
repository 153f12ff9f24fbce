import CGPGME

#if canImport(Glibc)
    import Glibc
#endif

/// The C side of GPGME in one place: start-up, error codes and messages.
///
/// GPGME runs `gpg` as a child process and talks to it over pipes: no clear byte goes through a
/// file. Every other OpenPGP type calls `GPGME.start()` before its first GPGME call.
enum GPGME {
    /// `gpgme_check_version` must run once, before any other GPGME call (GPGME manual §2.4).
    private static let version: String? = gpgme_check_version(nil).map { String(cString: $0) }

    /// Starts GPGME and checks that `gpg` can be run.
    ///
    /// - Throws: `io` when GPGME or GnuPG is missing.
    static func start() throws {
        guard version != nil else {
            throw TokenVaultError(.io, "OpenPGP: the GPGME library cannot be initialised")
        }
        let status = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP)
        guard status == 0 else {
            throw TokenVaultError(.io, "OpenPGP needs GnuPG 2 (gpg) installed: \(message(status))")
        }
    }

    /// The error code of a GPGME status (its source bits stripped).
    static func code(_ status: gpgme_error_t) -> gpgme_err_code_t {
        gpgme_err_code(status)
    }

    /// A GPGME status as an error value made by this program (for callbacks).
    static func error(_ code: gpgme_err_code_t) -> gpgme_error_t {
        gpgme_error(code)
    }

    /// GPGME's description of a status; thread-safe, and never holds key material or data.
    static func message(_ status: gpgme_error_t) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        _ = gpgme_strerror_r(status, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The path of an engine's program (`gpgconf`), when GPGME knows it.
    static func enginePath(_ engine: gpgme_protocol_t) -> String? {
        var info: gpgme_engine_info_t?
        guard gpgme_get_engine_info(&info) == 0 else { return nil }
        while let current = info {
            if current.pointee.protocol == engine, let name = current.pointee.file_name {
                return String(cString: name)
            }
            info = current.pointee.next
        }
        return nil
    }

    /// Sets the calling thread's `errno`, which GPGME reads after a data callback returns -1.
    static func setErrno(_ value: Int32) {
        errno = value
    }
}
