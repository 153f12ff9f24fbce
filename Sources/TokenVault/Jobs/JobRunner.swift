import Foundation
import Logging

/// `tokenvault run JOBFILE`: every matching file the vault has not processed yet, each as its
/// own run, safe to start from cron.
public final class JobRunner {
    /// What happened to one matching file.
    public struct FileOutcome: Sendable {
        public enum Status: Sendable {
            case processed
            case skipped(previousJobID: String)
            case failed(TokenVaultError)
        }

        public let path: String
        public let jobID: String?
        public let status: Status
        public let outcome: TokenizeOutcome?
        public let resumed: Bool
    }

    private let job: JobFile
    private let force: Bool
    private let concurrency: Int
    private let environment: [String: String]
    private let logger: Logger
    private let progress: (any ProgressObserver)?
    /// Rows per vault transaction (a tuning knob; the default suits production).
    public var commitEvery = 250_000

    public init(
        job: JobFile, force: Bool, concurrency: Int, environment: [String: String], logger: Logger,
        progress: (any ProgressObserver)? = nil
    ) {
        self.job = job
        self.force = force
        self.concurrency = concurrency
        self.environment = environment
        var logger = logger
        logger[metadataKey: "job"] = "\(job.name)"
        self.logger = logger
        self.progress = progress
    }

    /// The vault the job writes: the job file's `vault`, else `TOKENVAULT_VAULT`, else `vault.db`
    /// at the project root. A URL is taken as it is.
    public var vaultPath: String {
        let vault = job.vault ?? environment["TOKENVAULT_VAULT"] ?? "vault.db"
        if case .sqlite = VaultLocation(vault) { return job.resolve(vault) }
        return vault
    }

    /// Runs the job.
    ///
    /// - Throws: `vaultBusy` at once when another `run` of this job holds its lock; key and vault
    ///   errors before any file is touched. Failures of single files are in the outcomes.
    public func run() throws -> [FileOutcome] {
        let keySource: MasterKeySource =
            job.masterKeyFile.map { .file(job.resolve($0)) }
            ?? MasterKeySource.resolve(keyFile: nil, environment: environment)
        let options = Vault.Options(path: vaultPath, keySource: keySource, environment: environment, createIfMissing: job.createVault)
        // No vault by typo (SPEC §10): nothing, not even the lock file, is created for a missing one.
        guard try job.createVault || Vault.exists(options) else {
            throw TokenVaultError(
                .inputMissing,
                "no vault at \(options.location.displayName) (create it with `tokenvault init --vault \(options.location.displayName)`, or set \"create_vault\": true in \(job.path))"
            )
        }
        // The lock comes first, so a second run exits at once, before waiting on anything.
        let lock = try options.location.storeType().lockJob(named: job.name, options: options.storeOptions)
        defer { withExtendedLifetime(lock) {} }
        let vault = try Vault.open(options, logger: logger)
        let files = readyFiles(InputGlob.expand(job.inputs.map(job.resolve)))
        if files.isEmpty {
            if job.requireInput {
                throw TokenVaultError(
                    .inputMissing,
                    "job \(job.name): no input file matches \(job.inputs.joined(separator: " ")) and the policy requires input")
            }
            logger.notice("no input file matches the job's patterns", metadata: ["inputs": "\(job.inputs.joined(separator: " "))"])
        }

        var outcomes: [FileOutcome] = []
        for file in files {
            // SIGINT/SIGTERM: the file in progress stopped cleanly; the others wait for the next run.
            if StopRequest.signal != nil { break }
            do {
                outcomes.append(try process(file, vault: vault))
            } catch let error as TokenVaultError {
                logger.error("file failed", metadata: ["file": "\(file)", "error": "\(error.message)"])
                outcomes.append(FileOutcome(path: file, jobID: nil, status: .failed(error), outcome: nil, resumed: false))
            }
        }
        try vault.audit(
            command: "run", jobID: nil,
            details: [
                ("job", job.name), ("files", "\(files.count)"),
                ("processed", "\(outcomes.filter { if case .processed = $0.status { true } else { false } }.count)"),
                ("skipped", "\(outcomes.filter { if case .skipped = $0.status { true } else { false } }.count)"),
                ("failed", "\(outcomes.filter { if case .failed = $0.status { true } else { false } }.count)"),
            ])
        return outcomes
    }

    /// The matching files a delivery has finished: not a done marker itself, its marker present
    /// when the policy asks for one, and unchanged for `settle_seconds` (SPEC §10). Files not
    /// ready yet are left for a later run.
    func readyFiles(_ matching: [String], now: Date = Date()) -> [String] {
        let markers = Set(matching.compactMap { job.marker(for: $0) })
        return matching.filter { file in
            if markers.contains(file) { return false }
            if let marker = job.marker(for: file), !FileManager.default.fileExists(atPath: marker) {
                logger.notice("waiting for the file's done marker", metadata: ["file": "\(file)", "marker": "\(marker)"])
                return false
            }
            if job.settleSeconds > 0 {
                var info = stat()
                guard stat(file, &info) == 0 else { return false }
                let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
                let age = now.timeIntervalSince1970 - modified
                if age < job.settleSeconds {
                    logger.notice(
                        "the file changed too recently; left for a later run",
                        metadata: [
                            "file": "\(file)", "settle_seconds": .stringConvertible(job.settleSeconds),
                        ])
                    return false
                }
            }
            return true
        }
    }

    private func process(_ file: String, vault: Vault) throws -> FileOutcome {
        let digest = try InputDigest.of(path: file)
        let sha256 = digest.sha256
        if !force, let previous = try vault.completedRun(forSHA256: sha256) {
            logger.info("skipping a file already processed", metadata: ["file": "\(file)", "job_id": "\(previous)"])
            return FileOutcome(path: file, jobID: previous, status: .skipped(previousJobID: previous), outcome: nil, resumed: false)
        }
        let now = Date()
        // A dry run resumes nothing and takes a job id no real run will (it records no run).
        let unfinished = force || job.dryRun ? nil : try vault.unfinishedRun(jobName: job.name, sha256: sha256)
        let jobID =
            job.dryRun
            ? "\(job.name)-dry-run-\(Timestamp.compact(now))"
            : try unfinished ?? vault.nextJobID(jobName: job.name, date: now)
        var request = TokenizeRequest(
            kind: job.kind, inputs: [file], concurrency: concurrency, outputDirectory: job.resolve(job.outputDirectory),
            jobID: jobID, now: now)
        request.format = job.format
        request.delimiter = job.delimiter
        request.columnMap = job.columns
        request.allowExpired = job.allowExpired
        request.maxRejectRate = job.maxRejectRate
        request.minRows = job.minRows
        request.outputFormat = job.outputFormat
        request.knownInputs = [digest]
        request.commitEvery = commitEvery
        request.dryRun = job.dryRun
        request.expectRows = job.expectRows
        request.keepColumns = job.keepColumns
        request.onExisting = job.onExisting
        request.openPGP = job.openPGP
        var jobLogger = logger
        jobLogger[metadataKey: "job_id"] = "\(jobID)"
        if unfinished != nil { jobLogger.notice("resuming an unfinished run of this file", metadata: ["file": "\(file)"]) }
        let outcome = try Tokenizer(request: request, vault: vault, logger: jobLogger, progress: progress).run()
        let counts = outcome.report.counts
        jobLogger.info(
            "file processed",
            metadata: [
                "file": "\(file)", "status": "\(outcome.report.status.rawValue)", "rows": .stringConvertible(counts.rows),
                "new": .stringConvertible(counts.new), "existing": .stringConvertible(counts.existing),
                "rejected": .stringConvertible(counts.rejected), "warnings": .stringConvertible(counts.warnings),
            ])
        if let failure = outcome.failure {
            return FileOutcome(path: file, jobID: jobID, status: .failed(failure), outcome: outcome, resumed: unfinished != nil)
        }
        // A dry-run file is not processed: it stays where it is for the real run.
        if !job.dryRun, let archive = job.archiveDirectory {
            try move(file, to: job.resolve(archive))
            if let marker = job.marker(for: file), FileManager.default.fileExists(atPath: marker) {
                try move(marker, to: job.resolve(archive))
            }
        }
        return FileOutcome(path: file, jobID: jobID, status: .processed, outcome: outcome, resumed: unfinished != nil)
    }

    /// Moves a processed file into the archive folder, never over another file.
    private func move(_ file: String, to folder: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let name = (file as NSString).lastPathComponent
            var target = (folder as NSString).appendingPathComponent(name)
            var n = 1
            while FileManager.default.fileExists(atPath: target) {
                target = (folder as NSString).appendingPathComponent("\(name).\(n)")
                n += 1
            }
            try FileManager.default.moveItem(atPath: file, toPath: target)
            logger.info("archived", metadata: ["file": "\(file)", "to": "\(target)"])
        } catch {
            throw TokenVaultError(.cannotCreateOutput, "processed \(file) but cannot move it to \(folder)")
        }
    }
}
