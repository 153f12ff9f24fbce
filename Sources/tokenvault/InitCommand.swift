import ArgumentParser
import Foundation
import TokenVault

extension TokenFormat: ExpressibleByArgument {}

/// `tokenvault init`: create an empty vault (and, with no key given, its key file).
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create a new, empty vault.")

    @OptionGroup var vaultOptions: VaultOptions
    @OptionGroup var reporting: ReportingOptions

    @Option(
        help: ArgumentHelp(
            "How card tokens look, for the vault's whole life: UUIDs, or card-shaped digits (length, first 6 and last 4 kept, Luhn-invalid). Bank-account tokens are UUIDs.",
            valueName: "uuid|format-preserving"))
    var tokenFormat: TokenFormat = .uuid

    func run() throws {
        let logger = reporting.makeLogger()
        try ExitStatus.run {
            var options = vaultOptions.openOptions(create: true)
            options.tokenFormat = tokenFormat
            guard try !Vault.exists(options) else {
                throw TokenVaultError(.cannotCreateOutput, "a vault already exists at \(options.location.displayName)")
            }
            let vault = try Vault.open(options, logger: logger)
            try vault.audit(
                command: "init", jobID: nil,
                details: [
                    ("vault", vault.location.displayName), ("token_format", vault.tokenFormat.rawValue),
                ])
            if !reporting.quiet { print("Created vault \(vault.location.displayName) (\(vault.tokenFormat.rawValue) card tokens).") }
        }
    }
}
