import Foundation

/// The vault's records of runs, as the tokenizer and jobs use them.
extension Vault {
    /// Starts a run, or takes up the record of a job id that started before (resume).
    public func beginRun(jobID: String, kind: InstrumentKind, startedAt: Date) throws -> RunRecord {
        try store.beginRun(jobID: jobID, kind: kind, startedAt: Timestamp.iso8601(startedAt))
    }

    /// Records a run's inputs and their hashes at its start, so a crashed run can be recognised.
    func recordPlannedInputs(_ run: RunRecord, inputs: [PlannedInput]) throws {
        try store.recordPlannedInputs(run, inputs: inputs)
    }

    /// Records how a run ended, with its report and inputs.
    func finishRun(_ run: RunRecord, report: ReconciliationReport, reportJSON: String) throws {
        try store.finishRun(run, report: report, reportJSON: reportJSON)
    }

    /// The writer of one run, sealing and fingerprinting under this vault's current keys.
    func makeWriter(run: RunRecord, commitEvery: Int, onExisting: ExistingPolicy = .keep) throws -> any InstrumentWriter {
        try store.makeWriter(
            run: run, keys: KeyVersions(activeDataKey: crypto.activeDataKey, fingerprintKey: crypto.fingerprintKeyVersion),
            commitEvery: commitEvery, sealer: RecordSealer(crypto: crypto, kind: run.kind, onExisting: onExisting))
    }

    /// The writer of a dry run: looks every instrument up and writes nothing (SPEC §11).
    func makeDryRunWriter(kind: InstrumentKind, onExisting: ExistingPolicy) -> any InstrumentWriter {
        DryRunWriter(
            store: store, fingerprintKeyVersion: crypto.fingerprintKeyVersion,
            sealer: RecordSealer(crypto: crypto, kind: kind, onExisting: onExisting))
    }

    /// The job id of a completed run that read a file with this content hash, if any.
    public func completedRun(forSHA256 sha256: String) throws -> String? {
        try store.completedRun(forSHA256: sha256)
    }

    /// The job id of an unfinished run (crashed, failed or interrupted) of job `name` over a file with this
    /// content hash: run again under that id, its tokens are still reported new.
    public func unfinishedRun(jobName name: String, sha256: String) throws -> String? {
        try store.unfinishedRun(jobName: name, sha256: sha256)
    }

    /// The next job id of job `name` on `date`: `<name>-<yyyyMMdd>-<n>`.
    public func nextJobID(jobName name: String, date: Date) throws -> String {
        let prefix = "\(name)-\(Timestamp.compact(date).prefix(8))-"
        let highest = try store.jobIDs(startingWith: prefix).compactMap { Int($0.dropFirst(prefix.count)) }.max() ?? 0
        return prefix + String(highest + 1)
    }

    /// The earlier run of a job id, if any: how it ended and the inputs it recorded.
    func priorRun(jobID: String) throws -> PriorRun? {
        try store.priorRun(jobID: jobID)
    }
}
