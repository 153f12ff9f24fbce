import ArgumentParser
import Foundation
import TokenVault

/// `tokenvault vault`: operations on a whole vault.
struct VaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault", abstract: "Operations on a whole vault.", subcommands: [Copy.self])

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a whole vault, SQLite to PostgreSQL or back (resumable; counts and digests of both sides).",
            discussion: """
                Everything moves as stored: instruments (tombstones included), runs, audit, wrapped keys and metadata, \
                so tokens never change and no master key is needed. Killed, it resumes where it stopped when run again. \
                Exits 1 when the two sides' counts or digests differ. Do not write the source meanwhile.
                """)

        @Option(help: ArgumentHelp("The vault to copy: a file path or a postgresql:// URL.", valueName: "vault"))
        var from: String

        @Option(
            help: ArgumentHelp("The vault to copy into: a new file, an empty database, or a partial copy to finish.", valueName: "vault"))
        var to: String

        @Option(help: ArgumentHelp("Seconds to wait for another writer before failing with 75.", valueName: "seconds"))
        var wait: Double = 10

        @Option(help: ArgumentHelp("Instruments per transaction.", visibility: .hidden))
        var chunk = 10_000

        @OptionGroup var reporting: ReportingOptions

        func run() throws {
            let logger = reporting.makeLogger()
            try ExitStatus.run {
                let progress = reporting.showProgress
                let outcome = try VaultCopier(from: from, to: to, busyTimeoutSeconds: wait, chunk: chunk, logger: logger).run {
                    done, total in
                    if progress {
                        FileHandle.standardError.write(
                            Data("\rcopied \(Formatting.grouped(done)) of \(Formatting.grouped(total)) instruments ".utf8))
                    }
                }
                if progress { FileHandle.standardError.write(Data("\n".utf8)) }
                if !reporting.quiet {
                    print("Copied \(Formatting.grouped(outcome.copiedInstruments)) instruments in this pass.")
                    for (side, location, summary) in [
                        ("source", VaultLocation(from), outcome.source), ("target", VaultLocation(to), outcome.target),
                    ] {
                        print(
                            "\(side) \(location.displayName): \(Formatting.grouped(summary.instruments)) instruments (\(Formatting.grouped(summary.deleted)) deleted), "
                                + "\(summary.runs) runs, \(summary.runInputs) run inputs, \(summary.auditRecords) audit records, \(summary.dataKeys) data keys; "
                                + "digest \(summary.digest)")
                    }
                    print(outcome.matches ? "The copy matches its source." : "The copy does NOT match its source.")
                }
                if !outcome.matches { throw TokenVaultError(.verificationFailed, "the copy does not match its source") }
            }
        }
    }
}
