import ArgumentParser
import Foundation
import TokenVault

/// `tokenvault init`: create an empty vault (and, with no key given, its key file).
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a new, empty vault.")

    @OptionGroup var vaultOptions: VaultOptions
    @OptionGroup var reporting: ReportingOptions

    func run() throws {
        let logger = reporting.makeLogger()
        try ExitStatus.run {
            let options = vaultOptions.openOptions(create: true)
            guard try !Vault.exists(options) else {
                throw TokenVaultError(.cannotCreateOutput, "a vault already exists at \(options.location.displayName)")
            }
            let vault = try Vault.open(options, logger: logger)
            try vault.audit(command: "init", jobID: nil, details: [("vault", vault.location.displayName)])
            if !reporting.quiet { print("Created vault \(vault.location.displayName).") }
        }
    }
}
