import ArgumentParser
import Foundation
import Logging
import TokenVault

/// The one place where failures become messages and exit statuses (sysexits.h, SPEC §2).
enum ExitStatus {
    static func code(for code: TokenVaultError.Code) -> Int32 {
        switch code {
        case .usage: 64               // EX_USAGE
        case .inputData: 65           // EX_DATAERR
        case .inputMissing: 66        // EX_NOINPUT
        case .vaultCorrupt: 70        // EX_SOFTWARE
        case .cannotCreateOutput: 73  // EX_CANTCREAT
        case .io: 74                  // EX_IOERR
        case .vaultBusy: 75           // EX_TEMPFAIL
        case .keyMissing, .keyWrong: 77 // EX_NOPERM
        case .verificationFailed: 1
        }
    }

    /// Runs a command body, printing a failure as `tokenvault: <message>` and exiting with its status.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as TokenVaultError {
            report(error)
            throw ExitCode(code(for: error.code))
        }
    }

    /// Bootstraps logging, opens the vault (checking the key) and runs `body`, mapping failures.
    static func withVault(
        _ vaultOptions: VaultOptions, _ reporting: ReportingOptions, create: Bool = false,
        _ body: (Vault, Logger) throws -> Void
    ) throws {
        let logger = reporting.makeLogger()
        try run {
            let vault = try Vault.open(vaultOptions.openOptions(create: create), logger: logger)
            try body(vault, logger)
        }
    }

    /// Bootstraps logging, opens the vault's records read-only (no master key needed, nothing
    /// written) and runs `body`, mapping failures.
    static func withRecords(_ vaultOptions: VaultOptions, _ reporting: ReportingOptions, _ body: (VaultRecords) throws -> Void) throws {
        _ = reporting.makeLogger()
        try run {
            try body(try Vault.openRecords(vaultOptions.openOptions(create: false)))
        }
    }

    static func report(_ error: TokenVaultError) {
        FileHandle.standardError.write(Data("tokenvault: \(error.message)\n".utf8))
    }
}
