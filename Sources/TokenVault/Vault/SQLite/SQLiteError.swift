import CSQLite

/// An error from sqlite3, with its result code and message.
///
/// Like GRDB's `DatabaseError`, it never carries bound values: statements bind card data as
/// parameters and sqlite3's messages name tables and constraints only.
struct SQLiteError: Error, CustomStringConvertible, Sendable {
    let resultCode: Int32
    let message: String

    var description: String { "SQLite error \(resultCode): \(message)" }

    /// True when another connection holds the lock past the busy timeout.
    var isBusy: Bool {
        let primary = resultCode & 0xFF
        return primary == SQLITE_BUSY || primary == SQLITE_LOCKED
    }

    /// The command-level error this maps to.
    var asTokenVaultError: TokenVaultError {
        let primary = resultCode & 0xFF
        if isBusy {
            return TokenVaultError(.vaultBusy, "the vault is busy: another process holds it (\(message))", underlying: self)
        }
        if primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB {
            return TokenVaultError(.vaultCorrupt, "the vault file is damaged or not a vault (\(message))", underlying: self)
        }
        if primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY || primary == SQLITE_PERM {
            return TokenVaultError(.cannotCreateOutput, "cannot open the vault for writing (\(message))", underlying: self)
        }
        return TokenVaultError(.io, "vault I/O failed (\(message))", underlying: self)
    }

    /// Runs `body`, turning sqlite3 errors into command errors.
    static func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SQLiteError { throw error.asTokenVaultError }
    }
}
