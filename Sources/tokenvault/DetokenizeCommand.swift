import ArgumentParser
import Foundation
import Logging
import TokenVault

/// `tokenvault detokenize`: numbers out of the vault, to a 0600 file; audited.
struct DetokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detokenize",
        abstract: "Write the numbers behind tokens to a file of mode 0600 (migration out).",
        discussion:
            "The input is CSV or JSON Lines (gzip or not) with a token column; its other columns are passed through. Unknown or deleted tokens become error rows."
    )

    @Option(help: ArgumentHelp("File of tokens.", valueName: "file"))
    var input: String

    @Option(help: ArgumentHelp("Output file (created with mode 0600; gzip when it ends in .gz).", valueName: "file"))
    var out: String?

    @Flag(help: "Write the numbers to standard output instead (refused without this flag).")
    var stdout = false

    @Option(help: "Only tokens of this kind (and only its columns).")
    var kind: InstrumentKind?

    @Option(help: ArgumentHelp("Cores for opening records (default: all).", valueName: "n"))
    var concurrency: Int?

    @OptionGroup var vaultOptions: VaultOptions
    @OptionGroup var reporting: ReportingOptions
    @OptionGroup(title: "OpenPGP") var openPGP: OpenPGPOptions

    func validate() throws {
        try OptionRange.check(concurrency, OptionRange.concurrency, "--concurrency")
        if out == "-" && !stdout { throw ValidationError("--out - writes the numbers to standard output: add --stdout to mean it") }
        if out == nil && !stdout { throw ValidationError("give --out FILE (numbers go to standard output only with --stdout)") }
        if let out, out != "-", stdout { throw ValidationError("give --out FILE or --stdout, not both") }
    }

    func run() throws {
        let logger = reporting.makeLogger()
        try ExitStatus.run {
            // The input and the output file come first: a bad --out never opens (or creates) a vault.
            let detokenizer = try Detokenizer(
                inputPath: input, destination: stdout ? .standardOutput : .file(out ?? ""), kind: kind,
                concurrency: concurrency ?? ProcessInfo.processInfo.activeProcessorCount, openPGP: openPGP.settings())
            let vault: Vault
            do { vault = try Vault.open(vaultOptions.openOptions(create: false), logger: logger) } catch {
                detokenizer.discard()
                throw error
            }
            let outcome = try detokenizer.run(vault: vault)
            let errors = outcome.errors.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }.joined(
                separator: ", ")
            let summary =
                "Detokenized \(Formatting.grouped(outcome.detokenized)) of \(Formatting.grouped(outcome.rows)) rows"
                + (errors.isEmpty ? "" : " (errors: \(errors))") + (stdout ? "." : " into \(out ?? "") (mode 0600).")
            // With --stdout the numbers own stdout: the summary goes to stderr, as a log event with JSON logs.
            if reporting.logFormat == .json {
                logger.notice(
                    "detokenize.finished",
                    metadata: [
                        "rows": .stringConvertible(outcome.rows), "detokenized": .stringConvertible(outcome.detokenized),
                        "errors": .stringConvertible(outcome.errors.values.reduce(0, +)),
                    ])
            }
            if !reporting.quiet {
                if !stdout {
                    print(summary)
                } else if reporting.logFormat == .text {
                    FileHandle.standardError.write(Data((summary + "\n").utf8))
                }
            }
        }
    }
}
