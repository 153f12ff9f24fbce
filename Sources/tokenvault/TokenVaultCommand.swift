import ArgumentParser
import Foundation
import TokenVault

/// `tokenvault`: move stored cards and bank accounts into a token vault, and account for every row.
@main
struct TokenVaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenvault",
        abstract: "Tokenize files of payment cards and bank accounts into an encrypted vault.",
        discussion:
            "Exit status: 0 completed, 1 verification failed, 64 usage, 65 input data, 66 input missing, 70 vault damaged, 73 cannot create output, 74 I/O, 75 vault busy, 77 key missing, wrong or readable by others.",
        version: BuildInfo.versionText,
        subcommands: [
            TokenizeCommand.self, RunCommand.self, ReportCommand.self, VerifyCommand.self, DetokenizeCommand.self, VaultCommand.self,
            DeleteCommand.self, KeysCommand.self, AuditCommand.self, InitCommand.self, SampleCommand.self,
        ]
    )

    /// ArgumentParser's `main`, except that with `--log-format json` a usage error is one JSON
    /// object on stderr like every other line (SPEC §10).
    /// The process is hardened first, before any number or key is in memory.
    static func main() {
        let failed = ProcessHardening.disableCoreDumps()
        if !failed.isEmpty {
            FileHandle.standardError.write(
                Data("tokenvault: warning: could not disable core dumps (\(failed.joined(separator: ", ")))\n".utf8))
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let status = exitCode(for: error)
            if ReportingOptions.jsonRequested && status != .success && !(error is ExitCode) {
                ExitStatus.reportUsage(message(for: error), status: status.rawValue)
                Foundation.exit(status.rawValue)
            }
            exit(withError: error)
        }
    }
}
