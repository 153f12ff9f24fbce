import ArgumentParser
import Foundation
import Logging
import TokenVault

extension InstrumentKind: ExpressibleByArgument {}
extension RecordFormat: ExpressibleByArgument {}
extension ExistingPolicy: ExpressibleByArgument {}

/// `tokenvault tokenize`: one run over one or more input files.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Validate and tokenize card or bank-account files into the vault.")

    @Option(help: "What the files hold.")
    var kind: InstrumentKind

    @Argument(help: "Input files (gzip or plain, CSV or JSON Lines); - reads standard input.")
    var inputs: [String]

    @OptionGroup var vaultOptions: VaultOptions
    @OptionGroup var reporting: ReportingOptions
    @OptionGroup(title: "OpenPGP") var openPGP: OpenPGPOptions

    @Option(help: ArgumentHelp("Output folder.", valueName: "dir"))
    var out = "./out"

    @Option(
        help: ArgumentHelp(
            "Job id, naming the output files (default <kind>-<UTC yyyyMMdd'T'HHmmss.SSS'Z'>-<random>). Reused with the same inputs it resumes an unfinished run, or leaves a completed one untouched; with other inputs it is refused.",
            valueName: "id"))
    var jobID: String?

    @Option(help: "Input format (default: from the file name, after stripping .gz).")
    var format: RecordFormat?

    @Option(help: "Result and error file format.")
    var outputFormat: RecordFormat = .csv

    @Option(help: ArgumentHelp("CSV field delimiter: one character, or 'tab'.", valueName: "c"))
    var delimiter = ","

    @Option(
        name: .customLong("map"), help: ArgumentHelp("Read FIELD from a differently named column (repeatable).", valueName: "FIELD=COLUMN"))
    var maps: [String] = []

    @Option(help: ArgumentHelp("Worker queues for parsing, validation and crypto (default: all cores).", valueName: "n"))
    var concurrency: Int?

    @Flag(
        help:
            "Create the vault (and, with no key given, its key file) when it does not exist; without it a missing vault is an error (66), so a typo never starts an empty vault."
    )
    var createVault = false

    @Flag(help: "Accept cards whose expiry has passed.")
    var allowExpired = false

    @Option(help: ArgumentHelp("Fail the run (65) when more than this share of rows is rejected (0..1).", valueName: "r"))
    var maxRejectRate: Double?

    @Flag(help: "Look every instrument up and predict new/existing without writing the vault.")
    var dryRun = false

    @Option(
        name: .customLong("keep-column"),
        help: ArgumentHelp(
            "Copy this input column into the results after the standard columns (repeatable): the old provider's ids.", valueName: "name"))
    var keepColumns: [String] = []

    @Option(
        help: ArgumentHelp("Fail (65) before anything is committed unless the inputs hold exactly this many data rows.", valueName: "n"))
    var expectRows: Int?

    @Option(
        help: ArgumentHelp(
            "For instruments the vault holds: keep the stored data, or update its expiry and holder name from the row.",
            valueName: "keep|update"))
    var onExisting: ExistingPolicy = .keep

    @Flag(help: "Print the time spent in each stage and the peak memory on stderr.")
    var timings = false

    @Option(help: .hidden) var batchSize = 4096
    @Option(help: .hidden) var commitEvery = 250_000

    @Option(
        help: ArgumentHelp(
            "Fail (65) when an input has fewer data rows than this (default: none; a header alone completes with 0 rows).", valueName: "n"))
    var minRows: Int?

    func validate() throws {
        try OptionRange.check(maxRejectRate, OptionRange.rejectRate, "--max-reject-rate")
        try OptionRange.check(concurrency, OptionRange.concurrency, "--concurrency")
        try OptionRange.check(minRows, OptionRange.rows, "--min-rows")
        try OptionRange.check(expectRows, OptionRange.rows, "--expect-rows")
        try OptionRange.check(batchSize, OptionRange.batchSize, "--batch-size")
        try OptionRange.check(commitEvery, OptionRange.commitEvery, "--commit-every")
        if out == "-" { throw ValidationError("--out is a folder for the result, error and report files; '-' is not one") }
        _ = try delimiterByte()
    }

    func delimiterByte() throws -> UInt8 {
        do { return try CSVDelimiter.parse(delimiter) } catch let error as TokenVaultError {
            throw ValidationError("--delimiter: \(error.message)")
        }
    }

    func run() throws {
        let logger = reporting.makeLogger()
        try ExitStatus.run(finishing: logger) {
            let now = Date()
            var request = TokenizeRequest(
                kind: kind, inputs: inputs, concurrency: concurrency ?? ProcessInfo.processInfo.activeProcessorCount,
                outputDirectory: out, jobID: jobID ?? TokenizeRequest.defaultJobID(kind: kind, now: now), now: now)
            request.format = format
            request.outputFormat = outputFormat
            request.delimiter = try delimiterByte()
            request.columnMap = try maps.map(ColumnMapping.init(parsing:))
            request.allowExpired = allowExpired
            request.maxRejectRate = maxRejectRate
            request.minRows = minRows
            request.batchSize = batchSize
            request.commitEvery = commitEvery
            request.dryRun = dryRun
            request.expectRows = expectRows
            request.keepColumns = keepColumns
            request.onExisting = onExisting
            request.openPGP = try openPGP.settings()
            // Refused before the vault is opened, so no empty vault is left behind.
            try request.validate()
            let vault = try Vault.open(vaultOptions.openOptions(create: createVault), logger: logger)
            StopRequest.installHandlers()
            let outcome = try Tokenizer(
                request: request, vault: vault, logger: logger,
                progress: reporting.showProgress ? TerminalProgress() : nil
            ).run()
            RunSummary.warnUnknownColumns(outcome, jobID: request.jobID, logger: logger)
            if outcome.alreadyCompleted {
                if !reporting.quiet { print(RunSummary.alreadyCompleted(outcome)) }
                return
            }
            if !reporting.quiet { print(RunSummary.text(outcome)) }
            if timings { RunSummary.printTimings(outcome, logger: reporting.logFormat == .json ? logger : nil) }
            RunSummary.logCounts(outcome, logger: logger)
            if let failure = outcome.failure { throw failure }
        }
    }
}
