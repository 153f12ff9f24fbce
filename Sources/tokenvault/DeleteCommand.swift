import ArgumentParser
import Foundation
import TokenVault

extension DeleteReason: ExpressibleByArgument {}

/// `tokenvault delete`: crypto-shred tokens; audited.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Crypto-shred tokens: their records are erased, a tombstone keeps token, time and reason.")

    @Option(help: ArgumentHelp("File of tokens (CSV or JSON Lines with a token column; OpenPGP or clear).", valueName: "file"))
    var input: String

    @Option(help: "customer_request, compromised, retention_expired or other.")
    var reason: DeleteReason

    @OptionGroup(title: "OpenPGP") var openPGP: OpenPGPDecryptionOptions
    @OptionGroup var vaultOptions: VaultOptions
    @OptionGroup var reporting: ReportingOptions

    func run() throws {
        try ExitStatus.withVault(vaultOptions, reporting) { vault, _ in
            let counts = try TokenDeletion(vault: vault, inputPath: input, reason: reason, openPGP: openPGP.settings()).run()
            if !reporting.quiet {
                print(
                    "Deleted \(Formatting.grouped(counts.deleted)) tokens (reason \(reason.rawValue)); "
                        + "\(Formatting.grouped(counts.alreadyDeleted)) were already deleted, \(Formatting.grouped(counts.unknown)) unknown, "
                        + "\(Formatting.grouped(counts.unreadable)) rows without a valid token.")
            }
        }
    }
}
