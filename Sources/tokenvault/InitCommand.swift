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
            guard !FileManager.default.fileExists(atPath: vaultOptions.vaultPath) else {
                throw TokenVaultError(.cannotCreateOutput, "a vault already exists at \(vaultOptions.vaultPath)")
            }
            let vault = try Vault.open(vaultOptions.openOptions(create: true), logger: logger)
            try vault.audit(command: "init", jobID: nil, details: [("vault", vault.path)])
            if !reporting.quiet { print("Created vault \(vault.path).") }
        }
    }
}
