import ArgumentParser
import Foundation
import Logging
import TokenVault

/// Where the vault is and how to open it; shared by every command that touches a vault.
struct VaultOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The vault: a file, or a postgresql:// URL (env TOKENVAULT_VAULT).", valueName: "vault"))
    var vault: String?

    @Option(
        help: ArgumentHelp(
            "A file holding the master key: base64 of 32 random bytes (or env TOKENVAULT_MASTER_KEY; else <vault>.key beside a vault file).",
            valueName: "path"))
    var masterKeyFile: String?

    @Option(help: ArgumentHelp("Seconds to wait for another writer before failing with 75.", valueName: "seconds"))
    var wait: Double = 10

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    func validate() throws {
        try OptionRange.check(wait, OptionRange.waitSeconds, "--wait")
        // `-` is standard input/output; a vault or key file is never named so (SPEC §10).
        if vault == "-" { throw ValidationError("--vault - is not a file: give the vault's path") }
        if masterKeyFile == "-" { throw ValidationError("--master-key-file - is not supported: give a file or TOKENVAULT_MASTER_KEY") }
    }

    var vaultPath: String { vault ?? environment["TOKENVAULT_VAULT"] ?? "./vault.db" }

    func openOptions(create: Bool) -> Vault.Options {
        Vault.Options(
            path: vaultPath, keySource: MasterKeySource.resolve(keyFile: masterKeyFile, environment: environment),
            environment: environment, createIfMissing: create, busyTimeoutSeconds: wait)
    }
}

/// `--since DATE`, for commands that list records.
struct SinceOption: ParsableArguments {
    @Option(help: ArgumentHelp("Only records on or after this date (YYYY-MM-DD or ISO 8601).", valueName: "date"))
    var since: String?

    var date: Date? { since.flatMap(Timestamp.parse) }

    func validate() throws {
        if let since, Timestamp.parse(since) == nil { throw ValidationError("--since takes YYYY-MM-DD or an ISO 8601 time") }
    }
}

/// How a command talks to the operator: logs, progress and the summary.
struct ReportingOptions: ParsableArguments {
    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Flag(help: "Print no summary on stdout.")
    var quiet = false

    @Option(help: "Log lines on stderr as text or one JSON object per line.")
    var logFormat: LogFormat = .text

    @Flag(inversion: .prefixedNo, help: "A progress line on stderr (default: when stderr is a terminal).")
    var progress: Bool?

    /// Never with JSON logs: a progress line is not a JSON object.
    var showProgress: Bool { logFormat == .text && (progress ?? (isatty(STDERR_FILENO) == 1)) }

    /// Whether this process logs JSON, read from the command line itself so that even a usage
    /// error found while parsing it is reported as JSON.
    static let jsonRequested: Bool = {
        let arguments = CommandLine.arguments
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            if argument == "--log-format=json" { return true }
            if argument == "--log-format", index + 1 < arguments.count { return arguments[index + 1] == "json" }
        }
        return false
    }()

    /// Bootstraps swift-log for this process; only `main` does this.
    func makeLogger() -> Logger {
        let json = logFormat == .json
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, json: json) }
        var logger = Logger(label: "tokenvault")
        logger.logLevel = quiet ? .warning : .info
        return logger
    }
}
