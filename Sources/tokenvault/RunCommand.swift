import ArgumentParser
import Foundation
import TokenVault

/// `tokenvault run JOBFILE`: the cron entry point.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a job file: tokenize every matching file the vault has not processed yet.",
        discussion:
            "Exits 75 at once when the same job is already running; resumes a run left unfinished by a crash; exits with the first failing file's status after trying every file."
    )

    @Argument(help: "A job file, e.g. jobs/nightly-cards.json.")
    var jobFile: String

    @Flag(help: "Process files again even when the vault has processed them before.")
    var force = false

    @Option(help: ArgumentHelp("Worker queues (default: all cores).", valueName: "n"))
    var concurrency: Int?

    @Flag(help: "Run the job as a dry run (as its \"dry_run\": true): look every instrument up, write nothing.")
    var dryRun = false

    @OptionGroup var reporting: ReportingOptions

    @Option(help: .hidden) var commitEvery = 250_000

    func validate() throws {
        try OptionRange.check(concurrency, OptionRange.concurrency, "--concurrency")
        try OptionRange.check(commitEvery, OptionRange.commitEvery, "--commit-every")
    }

    func run() throws {
        let logger = reporting.makeLogger()
        try ExitStatus.run(finishing: logger) {
            var job = try JobFile.load(jobFile)
            if dryRun { job.dryRun = true }
            let runner = JobRunner(
                job: job, force: force, concurrency: concurrency ?? ProcessInfo.processInfo.activeProcessorCount,
                environment: ProcessInfo.processInfo.environment, logger: logger,
                progress: reporting.showProgress ? TerminalProgress() : nil)
            runner.commitEvery = commitEvery
            StopRequest.installHandlers()
            let outcomes = try runner.run()
            var firstFailure: TokenVaultError?
            for file in outcomes {
                switch file.status {
                case .processed:
                    if let outcome = file.outcome { RunSummary.warnUnknownColumns(outcome, jobID: outcome.report.jobID, logger: logger) }
                    if !reporting.quiet, let outcome = file.outcome {
                        print((file.resumed ? "Resumed: " : "") + RunSummary.text(outcome))
                    }
                case .skipped(let previous):
                    if !reporting.quiet { print("Skipped \(file.path): already processed by job \(previous).") }
                case .failed(let error):
                    firstFailure = firstFailure ?? error
                    if !reporting.quiet {
                        print(file.outcome.map(RunSummary.text) ?? "FAILED \(file.path): \(error.message)")
                    }
                }
            }
            if !reporting.quiet && outcomes.isEmpty {
                print("Job \(job.name): no input file matches \(job.inputs.joined(separator: " ")).")
            }
            // A stop signal decides the exit status (130/143), whatever else failed before it.
            if let signal = StopRequest.signal { throw StopRequest.error(signal) }
            if let firstFailure { throw firstFailure }
        }
    }
}
