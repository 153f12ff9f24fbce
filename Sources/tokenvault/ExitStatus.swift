import ArgumentParser
import Foundation
import Logging
import TokenVault

/// The one place where failures become messages and exit statuses (sysexits.h, SPEC §2).
enum ExitStatus {
    static func code(for code: TokenVaultError.Code) -> Int32 {
        switch code {
        case .usage: 64 // EX_USAGE
        case .inputData: 65 // EX_DATAERR
        case .inputMissing: 66 // EX_NOINPUT
        case .vaultCorrupt: 70 // EX_SOFTWARE
        case .cannotCreateOutput: 73 // EX_CANTCREAT
        case .io: 74 // EX_IOERR
        case .vaultBusy: 75 // EX_TEMPFAIL
        case .keyMissing, .keyWrong: 77 // EX_NOPERM
        case .verificationFailed: 1
        case .interrupted: 130 // 128 + SIGINT, as shells report it
        case .terminated: 143 // 128 + SIGTERM
        }
    }

    /// Runs a command body, printing a failure (`tokenvault: <message>`, or one JSON object with
    /// `--log-format json`) and exiting with its status.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as TokenVaultError {
            report(error)
            throw ExitCode(code(for: error.code))
        }
    }

    /// As `run`, for commands that process inputs (`tokenize`, `run`): the last log event is
    /// always `run.finished`, with the status and the exit status, whether the run failed or not.
    static func run(finishing logger: Logger, _ body: () throws -> Void) throws {
        do {
            try body()
            logger.notice("run.finished", metadata: ["status": "completed", "exit_status": .stringConvertible(0)])
        } catch let error as TokenVaultError {
            let status = code(for: error.code)
            report(error)
            let stopped = error.code == .interrupted || error.code == .terminated
            logger.error(
                "run.finished",
                metadata: [
                    "status": "\(stopped ? "interrupted" : "failed")", "exit_status": .stringConvertible(Int(status)),
                ])
            throw ExitCode(status)
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
        guard ReportingOptions.jsonRequested else {
            FileHandle.standardError.write(Data("tokenvault: \(error.message)\n".utf8))
            return
        }
        StderrLogHandler.write(
            level: .error, event: "command.failed",
            metadata: [
                "message": .string(error.message), "code": .string(error.code.rawValue),
                "exit_status": .stringConvertible(Int(code(for: error.code))),
            ], json: true)
    }

    /// A usage error found while parsing the command line, in JSON when JSON logs were asked for.
    static func reportUsage(_ message: String, status: Int32) {
        StderrLogHandler.write(
            level: .error, event: status == 64 ? "usage.invalid" : "command.failed",
            metadata: [
                "message": .string(message), "code": status == 64 ? "usage" : "failed", "exit_status": .stringConvertible(Int(status)),
            ], json: true)
    }
}
