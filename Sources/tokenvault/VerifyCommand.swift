import ArgumentParser
import Foundation
import TokenVault

/// `tokenvault verify`: prove a result file against the vault.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that every input row maps to the token the vault holds for it.",
        discussion: """
            With a job id, the inputs and the results file are the ones the run recorded, \
            checked by SHA-256 (give --input for an input that has moved). Without one, give \
            --kind, --input and --results. OpenPGP inputs and results (--encrypt-to) are \
            decrypted as tokenize decrypts its inputs. Prints mismatches by row (masked) and exits 1 when \
            there is any, or when a file is not the one the run recorded.
            """)

    @Argument(help: "The job id of the run to verify.")
    var jobID: String?

    @Option(help: "What the input holds (without a job id).")
    var kind: InstrumentKind?

    @Option(help: ArgumentHelp("The input file the run read (with a job id: an input at a new place; repeatable).", valueName: "file"))
    var input: [String] = []

    @Option(help: ArgumentHelp("The run's result file (with a job id: only if it has moved).", valueName: "file"))
    var results: String?

    @Option(help: "Input format (default: from the file name).")
    var format: RecordFormat?

    @Option(help: ArgumentHelp("CSV field delimiter of the input.", valueName: "c"))
    var delimiter = ","

    @Option(name: .customLong("map"), help: ArgumentHelp("As for tokenize.", valueName: "FIELD=COLUMN"))
    var maps: [String] = []

    @OptionGroup(title: "OpenPGP") var openPGP: OpenPGPDecryptionOptions
    @OptionGroup var vaultOptions: VaultOptions
    @OptionGroup var reporting: ReportingOptions

    func validate() throws {
        do { _ = try CSVDelimiter.parse(delimiter) } catch let error as TokenVaultError {
            throw ValidationError("--delimiter: \(error.message)")
        }
        if jobID == nil {
            guard kind != nil, input.count == 1, results != nil else {
                throw ValidationError("give a job id, or --kind, one --input and --results")
            }
        } else if kind != nil || format != nil || !maps.isEmpty {
            throw ValidationError("with a job id, the kind, format and column map are the ones the run recorded")
        }
    }

    func run() throws {
        let logger = reporting.makeLogger()
        try ExitStatus.run {
            if let jobID {
                let vault = try Vault.open(vaultOptions.openOptions(create: false), logger: logger)
                let outcome = try RecordedRunVerifier(
                    vault: vault, jobID: jobID, inputOverrides: input, resultsOverride: results, openPGP: openPGP.settings()
                ).run()
                for problem in outcome.fileProblems { print(problem) }
                var mismatches = 0
                for (path, verified) in outcome.inputs {
                    printOutcome(verified, input: path, results: outcome.resultsPath)
                    mismatches += verified.mismatches.count
                }
                if !outcome.passed {
                    throw TokenVaultError(
                        .verificationFailed,
                        "run \(jobID) does not verify: \(outcome.fileProblems.count) files differ from the run's record, \(mismatches) rows do not match the vault"
                    )
                }
                return
            }
            guard let kind, let inputPath = input.first, let results else { return }
            for path in [inputPath, results] where !FileManager.default.fileExists(atPath: path) {
                throw TokenVaultError(.inputMissing, "\(path) does not exist")
            }
            let vault = try Vault.open(vaultOptions.openOptions(create: false), logger: logger)
            let outcome = try ResultVerifier(
                vault: vault, kind: kind, inputPath: inputPath, resultsPath: results, format: format,
                delimiter: try CSVDelimiter.parse(delimiter),
                columnMap: try maps.map(ColumnMapping.init(parsing:)), openPGP: openPGP.settings()
            ).run()
            printOutcome(outcome, input: inputPath, results: results)
            if !outcome.mismatches.isEmpty {
                throw TokenVaultError(.verificationFailed, "\(outcome.mismatches.count) rows do not match the vault")
            }
        }
    }

    private func printOutcome(_ outcome: ResultVerifier.Outcome, input: String, results: String) {
        for mismatch in outcome.mismatches.prefix(1000) {
            print("row \(mismatch.row)\(mismatch.alias.isEmpty ? "" : " (\(mismatch.alias))"): \(mismatch.reason)")
        }
        if outcome.mismatches.count > 1000 { print("… and \(outcome.mismatches.count - 1000) more") }
        print(
            "Verified \(Formatting.grouped(outcome.rowsChecked)) rows of \(input) against \(results): "
                + "\(Formatting.grouped(outcome.tokensConfirmed)) tokens confirmed, \(Formatting.grouped(outcome.mismatches.count)) mismatches."
        )
    }
}
