import ArgumentParser
import Foundation
import TokenVault

/// `tokenvault verify`: prove a result file against the vault.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that every input row maps to the token the vault holds for it.",
        discussion: "Prints mismatches by row (masked) and exits 1 when there is any.")

    @Option(help: "What the input holds.")
    var kind: InstrumentKind

    @Option(help: ArgumentHelp("The input file the run read.", valueName: "file"))
    var input: String

    @Option(help: ArgumentHelp("The run's result file.", valueName: "file"))
    var results: String

    @Option(help: "Input format (default: from the file name).")
    var format: InputFormat?

    @Option(help: ArgumentHelp("CSV field delimiter of the input.", valueName: "c"))
    var delimiter = ","

    @Option(name: .customLong("map"), help: ArgumentHelp("As for tokenize.", valueName: "FIELD=COLUMN"))
    var maps: [String] = []

    @OptionGroup var vaultOptions: VaultOptions
    @OptionGroup var reporting: ReportingOptions

    func validate() throws {
        do { _ = try CSVDelimiter.parse(delimiter) } catch let error as TokenVaultError { throw ValidationError("--delimiter: \(error.message)") }
    }

    func run() throws {
        let logger = reporting.makeLogger()
        try ExitStatus.run {
            for path in [input, results] where !FileManager.default.fileExists(atPath: path) {
                throw TokenVaultError(.inputMissing, "\(path) does not exist")
            }
            let vault = try Vault.open(vaultOptions.openOptions(create: false), logger: logger)
            let outcome = try ResultVerifier(
                vault: vault, kind: kind, inputPath: input, resultsPath: results, format: format,
                delimiter: try CSVDelimiter.parse(delimiter),
                columnMap: try maps.map(ColumnMapping.init(parsing:))).run()
            for mismatch in outcome.mismatches.prefix(1000) {
                print("row \(mismatch.row)\(mismatch.alias.isEmpty ? "" : " (\(mismatch.alias))"): \(mismatch.reason)")
            }
            if outcome.mismatches.count > 1000 { print("… and \(outcome.mismatches.count - 1000) more") }
            print("Verified \(Formatting.grouped(outcome.rowsChecked)) rows of \(input) against \(results): "
                  + "\(Formatting.grouped(outcome.tokensConfirmed)) tokens confirmed, \(Formatting.grouped(outcome.mismatches.count)) mismatches.")
            if !outcome.mismatches.isEmpty {
                throw TokenVaultError(.verificationFailed, "\(outcome.mismatches.count) rows do not match the vault")
            }
        }
    }
}
