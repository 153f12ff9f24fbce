import Dispatch
import Foundation
import Logging

/// Runs a tokenize request end to end: inputs → workers → the vault writer → output files.
///
/// The reader runs on the calling thread and cuts batches; `concurrency` serial worker queues
/// prepare them (split, validate, fingerprint, seal) and later format and compress their
/// output; one serial queue writes the vault in input order; one serial queue appends output
/// in input order. A semaphore bounds the batches in flight, so memory stays flat.
public final class Tokenizer {
    private let request: TokenizeRequest
    private let vault: Vault
    private let logger: Logger
    private let progress: (any ProgressObserver)?

    public init(request: TokenizeRequest, vault: Vault, logger: Logger, progress: (any ProgressObserver)? = nil) {
        self.request = request
        self.vault = vault
        self.logger = logger
        self.progress = progress
    }

    /// Runs the request.
    ///
    /// - Returns: the outcome, also when the run failed after it started (its report says so).
    /// - Throws: when the run cannot start (missing input, bad mapping, unwritable output).
    public func run() throws -> TokenizeOutcome {
        let formats = try request.validate()
        let mapping = try FieldMapping(kind: request.kind, overrides: request.columnMap.map { ($0.field, $0.column) })
        let validator: any InstrumentValidator = switch request.kind {
        case .card: CardValidator(currentMonth: YearMonth(request.now), allowExpired: request.allowExpired)
        case .bankAccount: BankAccountValidator(today: request.now)
        }

        let directory = request.outputDirectory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TokenVaultError(.cannotCreateOutput, "cannot create the output folder \(directory)")
        }
        let base = (directory as NSString).appendingPathComponent(request.jobID)
        // The keys stay open for the run; a temporary keyring goes when it ends.
        let openPGP = OpenPGPSession(settings: request.openPGP)
        defer { openPGP.close() }
        try openPGP.checkRecipients()
        let resultsPath = OutputChain.path("\(base).results.\(request.outputFormat.fileExtension)", openPGP: openPGP)
        let errorsPath = OutputChain.path("\(base).errors.\(request.outputFormat.fileExtension)", openPGP: openPGP)
        let reportPath = "\(base).report.json"
        // A rerun under the same job id replaces everything an earlier attempt left.
        // A symlink planted at an output name is refused (73), not silently removed.
        for path in [resultsPath, errorsPath, reportPath] { try OutputFile.checkTarget(path) }
        for stale in [resultsPath, errorsPath, reportPath] { unlink(stale) }
        let resultsFile = try OutputChain(file: OutputFile(path: resultsPath), compressed: true, openPGP: openPGP)
        let errorsFile = try OutputChain(file: OutputFile(path: errorsPath), compressed: true, openPGP: openPGP)
        let formatter = ResultFormatter(
            kind: request.kind, format: request.outputFormat, inputPaths: request.inputs.count > 1 ? request.inputs : nil)
        try resultsFile.write(GzipMember.compress(formatter.header(formatter.resultColumns)))
        try errorsFile.write(GzipMember.compress(formatter.header(formatter.errorColumns)))

        let started = request.now
        let wall = Stopwatch()
        let run = try vault.beginRun(jobID: request.jobID, kind: request.kind, startedAt: started)
        if let known = request.knownInputs {
            try vault.recordPlannedInputs(run, inputs: zip(request.inputs, known).map {
                PlannedInput(path: $0, sha256: $1.sha256, bytes: $1.bytes)
            })
        }
        if run.resumed {
            logger.notice("resuming a job id that ran before: its tokens are reported new again", metadata: ["job_id": "\(request.jobID)"])
        }
        // An OpenPGP message proves its integrity and signature only at its end: its rows are
        // committed in one transaction once it has, or not at all (see `PipelineRun`).
        let allOrNothing = request.openPGP.requiredSigner != nil || request.inputs.contains(where: InputChain.isOpenPGP)
        let writer = try vault.makeWriter(run: run, commitEvery: allOrNothing ? Int.max : request.commitEvery)
        let pipeline = PipelineRun(
            request: request, formats: formats, mapping: mapping, validator: validator, crypto: vault.crypto,
            writer: writer, formatter: formatter, resultsFile: resultsFile, errorsFile: errorsFile, openPGP: openPGP, allOrNothing: allOrNothing,
            progress: progress)
        var failure = pipeline.execute()

        var tally = pipeline.committed
        if failure == nil, let limit = request.maxRejectRate, tally.counts.rows > 0 {
            let rate = Double(tally.counts.rejected) / Double(tally.counts.rows)
            if rate > limit {
                failure = TokenVaultError(.inputData, String(
                    format: "%d of %d rows rejected (%.2f%%), above the allowed %.2f%%; accepted rows stay committed",
                    tally.counts.rejected, tally.counts.rows, rate * 100, limit * 100))
            }
        }
        if failure == nil, let minimum = request.minRows {
            for (index, path) in request.inputs.enumerated() where (tally.rowsByInput[index] ?? 0) < minimum {
                failure = TokenVaultError(.inputData, "\(path) has \(tally.rowsByInput[index] ?? 0) data rows, fewer than --min-rows \(minimum)")
                break
            }
        }
        tally.errorsByCode = tally.errorsByCode.filter { $0.value > 0 }
        var timings = pipeline.timings
        timings.wall = wall.seconds
        timings.peakRSSBytes = StageTimings.currentPeakRSS()
        timings.processCPU = StageTimings.currentProcessCPU()

        let finished = started.addingTimeInterval(timings.wall)
        let tokensAfter = (try? vault.tokenCount()) ?? run.tokensBefore
        let inputs = pipeline.inputs.enumerated().map { index, input in
            var input = input
            input.rows = tally.rowsByInput[index] ?? 0
            return input
        }
        func makeReport(_ failure: TokenVaultError?) -> ReconciliationReport {
            ReconciliationReport(
                jobID: request.jobID, kind: request.kind, status: failure == nil ? .completed : .failed,
                startedAt: Timestamp.iso8601(started), finishedAt: Timestamp.iso8601(finished),
                durationSeconds: (timings.wall * 1000).rounded() / 1000,
                rowsPerSecond: timings.wall > 0 ? (Double(tally.counts.rows) / timings.wall).rounded() : 0,
                inputs: inputs, counts: tally.counts, errorsByCode: tally.errorsByCode,
                byBrand: request.kind == .card ? tally.byGroup : nil,
                byCountry: request.kind == .bankAccount ? tally.byGroup : nil,
                vault: .init(tokensBefore: run.tokensBefore, tokensAfter: tokensAfter),
                failure: failure?.message)
        }

        // Outputs get their final names first; the vault then records the run. Should that
        // fail, the outputs go back to their temporary names: nothing looks complete that is not.
        var renamed = false
        if failure == nil {
            do {
                try resultsFile.complete()
                try errorsFile.complete()
                renamed = true
            } catch let error as TokenVaultError {
                failure = error
            }
        } else {
            resultsFile.abandon()
            errorsFile.abandon()
        }
        var report = makeReport(failure)
        do {
            try vault.finishRun(run, report: report, reportJSON: report.jsonText())
        } catch let error as TokenVaultError {
            failure = failure ?? error
            if renamed {
                rename(resultsPath, resultsFile.partialPath)
                rename(errorsPath, errorsFile.partialPath)
                renamed = false
            }
            report = makeReport(failure)
        }
        try? vault.audit(command: "tokenize", jobID: request.jobID, details: [
            ("kind", request.kind.rawValue), ("status", report.status.rawValue), ("rows", "\(report.counts.rows)"),
            ("new", "\(report.counts.new)"), ("existing", "\(report.counts.existing)"),
            ("rejected", "\(report.counts.rejected)"), ("inputs", "\(report.inputs.count)"),
        ])
        try OutputFile.writeAtomically(Array((report.jsonText() + "\n").utf8), to: reportPath)
        return TokenizeOutcome(
            report: report, resultsPath: renamed ? resultsPath : resultsFile.partialPath,
            errorsPath: renamed ? errorsPath : errorsFile.partialPath, reportPath: reportPath,
            timings: timings, failure: failure, unknownColumns: pipeline.unknownColumns.sorted())
    }
}
