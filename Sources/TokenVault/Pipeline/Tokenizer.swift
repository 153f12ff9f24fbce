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
        let mapping = try request.mapping()
        let validator: any InstrumentValidator =
            switch request.kind {
            case .card: CardValidator(currentMonth: YearMonth(request.now), allowExpired: request.allowExpired)
            case .bankAccount: BankAccountValidator(today: request.now)
            }
        let digests = try request.knownInputs ?? inputDigests()
        if request.dryRun {
            // A dry run records no run; sharing a run's job id would replace that run's outputs.
            if try vault.priorRun(jobID: request.jobID) != nil {
                throw TokenVaultError(.usage, "job id \(request.jobID) belongs to a run in the vault; a dry run needs a job id of its own")
            }
        } else if let prior = try vault.priorRun(jobID: request.jobID), let completed = try checkReuse(of: prior, digests: digests) {
            return completed
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
        if let expected = request.expectRows {
            // The pre-pass (through the same decoding chain, OpenPGP included): a wrong count
            // fails before any output or vault record is made.
            var rows = 0
            for (path, format) in zip(request.inputs, formats) {
                rows += try RowCounter.count(path: path, format: format, delimiter: request.delimiter, openPGP: openPGP)
            }
            guard rows == expected else {
                throw TokenVaultError(
                    .inputData, "the input holds \(rows) data rows, not the \(expected) expected (--expect-rows); nothing was written")
            }
        }
        let resultsPath = OutputChain.path("\(base).results.\(request.outputFormat.fileExtension)", openPGP: openPGP)
        let errorsPath = OutputChain.path("\(base).errors.\(request.outputFormat.fileExtension)", openPGP: openPGP)
        let reportPath = "\(base).report.json"
        let htmlReportPath = "\(base).report.html"
        // A rerun under the same job id replaces everything an earlier attempt left.
        // A symlink planted at an output name is refused (73), not silently removed.
        for path in [resultsPath, errorsPath, reportPath, htmlReportPath] { try OutputFile.checkTarget(path) }
        for stale in [resultsPath, errorsPath, reportPath, htmlReportPath] { unlink(stale) }
        let resultsFile = try OutputChain(file: OutputFile(path: resultsPath), compressed: true, openPGP: openPGP)
        let errorsFile = try OutputChain(file: OutputFile(path: errorsPath), compressed: true, openPGP: openPGP)
        let formatter = ResultFormatter(
            kind: request.kind, format: request.outputFormat, inputPaths: request.inputs.count > 1 ? request.inputs : nil,
            updatedColumn: request.onExisting == .update, kept: mapping.kept)
        try resultsFile.write(GzipMember.compress(formatter.header(formatter.resultColumns)))
        try errorsFile.write(GzipMember.compress(formatter.header(formatter.errorColumns)))

        // An OpenPGP message proves its integrity and signature only at its end: its rows are
        // committed in one transaction once it has, or not at all (see `PipelineRun`).
        let allOrNothing = request.openPGP.requiredSigner != nil || request.inputs.contains(where: InputChain.isOpenPGP)
        // Their output waits for that commit sealed on disk, not in memory (made before the run begins).
        let held = allOrNothing ? try SealedSpillFile(directory: request.outputDirectory) : nil

        let started = request.now
        let wall = Stopwatch()
        // A dry run records no run: the vault's runs, and `run`'s memory of processed files, stay as they were.
        let run = request.dryRun ? nil : try vault.beginRun(jobID: request.jobID, kind: request.kind, startedAt: started)
        let tokensBefore = try run?.tokensBefore ?? vault.tokenCount()
        if let run, let digests {
            try vault.recordPlannedInputs(
                run,
                inputs: zip(request.inputs, digests).map {
                    PlannedInput(path: $0, sha256: $1.sha256, bytes: $1.bytes)
                })
        }
        if run?.resumed == true {
            logger.notice("resuming a job id that ran before: its tokens are reported new again", metadata: ["job_id": "\(request.jobID)"])
        }
        let writer =
            try run.map {
                try vault.makeWriter(run: $0, commitEvery: allOrNothing ? Int.max : request.commitEvery, onExisting: request.onExisting)
            } ?? vault.makeDryRunWriter(kind: request.kind, onExisting: request.onExisting)
        let pipeline = PipelineRun(
            request: request, formats: formats, mapping: mapping, validator: validator, crypto: vault.crypto,
            writer: writer, formatter: formatter, resultsFile: resultsFile, errorsFile: errorsFile, openPGP: openPGP,
            allOrNothing: allOrNothing,
            held: held, progress: progress, sealing: !request.dryRun || request.onExisting == .update, tokenFormat: vault.tokenFormat)
        var failure = pipeline.execute()
        var tally = pipeline.committed
        if failure == nil, let signal = pipeline.stoppedBy {
            failure = StopRequest.error(signal, committedRows: tally.counts.rows)
        } else if failure == nil, let expected = request.expectRows, tally.counts.rows != expected {
            // The pre-pass counted right, so the file changed under the run.
            failure = TokenVaultError(
                .inputData, "input changed while reading: \(tally.counts.rows) rows read, \(expected) counted before the run")
        }
        if failure == nil, let limit = request.maxRejectRate, tally.counts.rows > 0 {
            let rate = Double(tally.counts.rejected) / Double(tally.counts.rows)
            if rate > limit {
                failure = TokenVaultError(
                    .inputData,
                    String(
                        format: "%d of %d rows rejected (%.2f%%), above the allowed %.2f%%; accepted rows stay committed",
                        tally.counts.rejected, tally.counts.rows, rate * 100, limit * 100))
            }
        }
        if failure == nil, let minimum = request.minRows {
            for (index, path) in request.inputs.enumerated() where (tally.rowsByInput[index] ?? 0) < minimum {
                failure = TokenVaultError(
                    .inputData, "\(path) has \(tally.rowsByInput[index] ?? 0) data rows, fewer than --min-rows \(minimum)")
                break
            }
        }
        tally.errorsByCode = tally.errorsByCode.filter { $0.value > 0 }
        var timings = pipeline.timings
        timings.wall = wall.seconds
        timings.peakRSSBytes = StageTimings.currentPeakRSS()
        timings.processCPU = StageTimings.currentProcessCPU()

        let finished = started.addingTimeInterval(timings.wall)
        let tokensAfter = (try? vault.tokenCount()) ?? tokensBefore
        // The hashes taken before the run when there are some: those of a stopped run's whole
        // files, which its resume must match, not of the part read.
        let inputs = request.inputs.indices.map { index in
            var input =
                digests.map {
                    ReconciliationReport.Input(path: request.inputs[index], sha256: $0[index].sha256, bytes: $0[index].bytes, rows: 0)
                }
                ?? (index < pipeline.inputs.count
                    ? pipeline.inputs[index] : .init(path: request.inputs[index], sha256: "", bytes: 0, rows: 0))
            input.rows = tally.rowsByInput[index] ?? 0
            return input
        }
        var renamed = false
        func makeReport(_ failure: TokenVaultError?) -> ReconciliationReport {
            var report = ReconciliationReport(
                jobID: request.jobID, kind: request.kind, status: request.dryRun && failure == nil ? .dryRun : Self.status(failure),
                startedAt: Timestamp.iso8601(started), finishedAt: Timestamp.iso8601(finished),
                durationSeconds: (timings.wall * 1000).rounded() / 1000,
                rowsPerSecond: timings.wall > 0 ? (Double(tally.counts.rows) / timings.wall).rounded() : 0,
                inputs: inputs, counts: tally.counts, errorsByCode: tally.errorsByCode,
                byBrand: request.kind == .card ? tally.byGroup : nil,
                byCountry: request.kind == .bankAccount ? tally.byGroup : nil,
                vault: .init(tokensBefore: tokensBefore, tokensAfter: tokensAfter),
                failure: failure?.message)
            report.errorsByField = tally.errorsByField.filter { $0.value > 0 }
            report.provenance = .current(masterKeyID: vault.masterKeyIdentifier)
            report.progress = pipeline.progressSamples
            report.outputs = recordedOutputs(resultsPath: renamed ? resultsPath : resultsFile.partialPath, formats: formats)
            return report
        }

        // Outputs get their final names first; the vault then records the run. Should that
        // fail, the outputs go back to their temporary names: nothing looks complete that is not.
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
            if let run { try vault.finishRun(run, report: report, reportJSON: report.jsonText()) }
        } catch let error as TokenVaultError {
            failure = failure ?? error
            if renamed {
                rename(resultsPath, resultsFile.partialPath)
                rename(errorsPath, errorsFile.partialPath)
                renamed = false
            }
            report = makeReport(failure)
        }
        // The audit keeps even a dry run: it looked every instrument up.
        try? vault.audit(
            command: "tokenize", jobID: request.jobID,
            details: [
                ("kind", request.kind.rawValue), ("status", report.status.rawValue), ("rows", "\(report.counts.rows)"),
                ("new", "\(report.counts.new)"), ("existing", "\(report.counts.existing)"),
                ("rejected", "\(report.counts.rejected)"), ("inputs", "\(report.inputs.count)"),
                ("on_existing", request.onExisting.rawValue), ("updated", "\(report.counts.updated ?? 0)"),
            ])
        do {
            try OutputFile.writeAtomically(Array((report.jsonText() + "\n").utf8), to: reportPath)
            try OutputFile.writeAtomically(Array(RunReportPage(report: report).html().utf8), to: htmlReportPath)
        } catch let error as TokenVaultError where failure != nil {
            // A full disk or a removed folder: the run's own failure is the one to report; the
            // vault holds the report (`tokenvault report JOB_ID`).
            logger.error(
                "cannot write the report files; the vault has the report",
                metadata: ["job_id": "\(request.jobID)", "error": "\(error.message)"])
        }
        return TokenizeOutcome(
            report: report, resultsPath: renamed ? resultsPath : resultsFile.partialPath,
            errorsPath: renamed ? errorsPath : errorsFile.partialPath, reportPath: reportPath,
            timings: timings, failure: failure, unknownColumns: pipeline.unknownColumns.sorted())
    }

    private static func status(_ failure: TokenVaultError?) -> ReconciliationReport.Status {
        switch failure?.code {
        case nil: .completed
        case .interrupted?, .terminated?: .interrupted
        default: .failed
        }
    }

    /// The inputs' hashes, taken before the run; nil when one is standard input.
    private func inputDigests() throws -> [InputDigest]? {
        guard !request.inputs.contains("-") else { return nil }
        return try request.inputs.map { try InputDigest.of(path: $0) }
    }

    /// A job id that ran before (SPEC §10): refused when it read other inputs or another kind;
    /// when it completed over these same inputs, its outcome, with its outputs left untouched;
    /// nil when it is unfinished and resumes.
    ///
    /// - Throws: `usage`, before anything is written.
    private func checkReuse(of prior: PriorRun, digests: [InputDigest]?) throws -> TokenizeOutcome? {
        let id = request.jobID
        guard prior.kind == request.kind.rawValue else {
            throw TokenVaultError(.usage, "job id \(id) was used for \(prior.kind) rows; pick another job id")
        }
        guard let digests, !prior.inputs.isEmpty else {
            throw TokenVaultError(
                .usage, "job id \(id) ran before and its inputs cannot be compared (standard input, or not recorded); pick another job id")
        }
        guard digests == prior.inputs else {
            throw TokenVaultError(
                .usage,
                "job id \(id) was used for other input files (their SHA-256 differs); pick another job id, its outputs are untouched")
        }
        guard prior.status == ReconciliationReport.Status.completed.rawValue, let report = prior.report else { return nil }
        let base = (request.outputDirectory as NSString).appendingPathComponent(id)
        logger.notice("job id already completed over these inputs; its outputs are untouched", metadata: ["job_id": "\(id)"])
        return TokenizeOutcome(
            report: report, resultsPath: "\(base).results.\(request.outputFormat.fileExtension)",
            errorsPath: "\(base).errors.\(request.outputFormat.fileExtension)", reportPath: "\(base).report.json",
            timings: StageTimings(), failure: nil, unknownColumns: [], alreadyCompleted: true)
    }

    /// The results file as written (absolute path, SHA-256) and how the inputs were read.
    private func recordedOutputs(resultsPath: String, formats: [RecordFormat]) -> ReconciliationReport.RecordedOutputs? {
        guard let digest = try? FileDigest.sha256(path: resultsPath) else { return nil }
        return ReconciliationReport.RecordedOutputs(
            results: .init(path: URL(fileURLWithPath: resultsPath).standardizedFileURL.path, sha256: digest.hex, bytes: digest.bytes),
            inputFormats: formats.map(\.rawValue),
            delimiter: String(decoding: [request.delimiter], as: UTF8.self),
            columnMap: Dictionary(request.columnMap.map { ($0.field, $0.column) }, uniquingKeysWith: { _, last in last }))
    }
}
