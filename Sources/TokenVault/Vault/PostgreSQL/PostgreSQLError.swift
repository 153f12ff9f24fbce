import Foundation

/// An error from PostgreSQL or libpq: its SQLSTATE and message, with the URL's secrets scrubbed.
///
/// Values travel as parameters and COPY data, and messages name tables and constraints; a unique
/// violation's detail (which would echo a key) is not kept.
struct PostgreSQLError: Error, CustomStringConvertible, Sendable {
    let sqlState: String
    let message: String

    var description: String { "PostgreSQL error \(sqlState): \(message)" }

    /// The command-level error this maps to.
    var asTokenVaultError: TokenVaultError {
        switch sqlState {
        case "40001", "40P01", "55P03", "57014":
            // Serialization failure, deadlock, lock not available, statement timeout.
            TokenVaultError(.vaultBusy, "the vault is busy: another process holds what this one needs (\(message))", underlying: self)
        case let state where state.hasPrefix("08") || state.hasPrefix("57P"):
            TokenVaultError(
                .io, "cannot reach the PostgreSQL vault (\(message.trimmingCharacters(in: .whitespacesAndNewlines)))", underlying: self)
        case "42501":
            TokenVaultError(.cannotCreateOutput, "the database refuses this user (\(message))", underlying: self)
        case "42P01", "42703":
            TokenVaultError(.vaultCorrupt, "the database does not hold a complete tokenvault vault (\(message))", underlying: self)
        default:
            TokenVaultError(.io, "vault I/O failed (\(message))", underlying: self)
        }
    }

    /// Runs `body`, turning PostgreSQL errors into command errors.
    static func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PostgreSQLError { throw error.asTokenVaultError }
    }
}
