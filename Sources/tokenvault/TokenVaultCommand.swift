import ArgumentParser
import Foundation
import TokenVault

/// `tokenvault`: move stored cards and bank accounts into a token vault, and account for every row.
@main
struct TokenVaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenvault",
        abstract: "Tokenize files of payment cards and bank accounts into an encrypted vault.",
        discussion: "Exit status: 0 completed, 64 usage, 65 input data, 66 input missing, 73 cannot create output, 74 I/O, 75 vault busy, 77 key missing or wrong.",
        version: "0.1.0",
        subcommands: [TokenizeCommand.self, RunCommand.self, ReportCommand.self, VerifyCommand.self, DetokenizeCommand.self,
                      DeleteCommand.self, KeysCommand.self, AuditCommand.self, InitCommand.self, SampleCommand.self]
    )

    /// Hardens the process before any number or key is in memory, then runs the command.
    static func main() {
        let failed = ProcessHardening.disableCoreDumps()
        if !failed.isEmpty {
            FileHandle.standardError.write(Data("tokenvault: warning: could not disable core dumps (\(failed.joined(separator: ", ")))\n".utf8))
        }
        main(nil)
    }
}
