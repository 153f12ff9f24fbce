import ArgumentParser
import TokenVault

extension SampleLayout: ExpressibleByArgument {}

/// `tokenvault sample`: write a reproducible sample file (the samples/ folder, the benchmark, tests).
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample", abstract: "Write a reproducible gzip sample file of test cards or bank accounts.")

    @Option(help: "What the file holds.")
    var kind: InstrumentKind

    @Option(help: "Number of data rows.")
    var rows = 2000

    @Option(help: "Seed: the same seed gives the same file.")
    var seed: UInt64 = 1

    @Option(help: "Share of rows repeating an earlier instrument, in percent.")
    var repeatPercent = 5.0

    @Option(help: "Share of invalid rows, in percent.")
    var invalidPercent = 2.0

    @Option(
        help:
            "Column names: standard; provider-export (cards: PAN, EXP_MONTH, EXP_YEAR, CUSTOMER_ID, NAME_ON_CARD); migration (cards: provider-export with the old provider's card_id and customer_id, and network tokens)."
    )
    var layout: SampleLayout = .standard

    @Option(help: "CSV or JSON Lines (default: from --out's name).")
    var format: RecordFormat?

    @Option(help: ArgumentHelp("The file to write (gzip); - writes to standard output.", valueName: "file"))
    var out: String

    func validate() throws {
        try OptionRange.check(rows, OptionRange.rows, "--rows")
        try OptionRange.check(repeatPercent, OptionRange.percent, "--repeat-percent")
        try OptionRange.check(invalidPercent, OptionRange.percent, "--invalid-percent")
    }

    func run() throws {
        try ExitStatus.run {
            // `-` is standard output (CSV unless --format says otherwise), never a file named `-`.
            guard let format = format ?? (out == "-" ? .csv : RecordFormat.inferred(fromPath: out)) else {
                throw TokenVaultError(.usage, "cannot tell the format from \(out): give --format")
            }
            var generator = SampleGenerator(kind: kind, format: format, rows: rows, seed: seed)
            generator.repeatPercent = repeatPercent
            generator.invalidPercent = invalidPercent
            guard layout == .standard || kind == .card else {
                throw TokenVaultError(.usage, "--layout \(layout.rawValue) is for cards")
            }
            generator.layout = layout
            try generator.write(to: out)
        }
    }
}
