import Foundation

/// The vault's records of runs, as jobs and reports read them.
extension Vault {
    /// The job id of a completed run that read a file with this content hash, if any.
    public func completedRun(forSHA256 sha256: String) throws -> String? {
        try guarded {
            let statement = try connection.prepare("""
                SELECT r.job_id FROM runs r JOIN run_inputs i ON i.run_id = r.id
                WHERE i.sha256 = ? AND r.status = 'completed' ORDER BY r.id DESC LIMIT 1
                """)
            statement.bind(sha256, at: 1)
            return try statement.step() ? statement.text(at: 0) : nil
        }
    }

    /// The job id of an unfinished run (crashed, failed or interrupted) of job `name` over a file with this
    /// content hash: run again under that id, its tokens are still reported new.
    public func unfinishedRun(jobName name: String, sha256: String) throws -> String? {
        try guarded {
            let statement = try connection.prepare("""
                SELECT r.job_id FROM runs r JOIN run_inputs i ON i.run_id = r.id
                WHERE i.sha256 = ?2 AND r.status IN ('running', 'failed', 'interrupted')
                  AND substr(r.job_id, 1, length(?1) + 1) = ?1 || '-'
                ORDER BY r.id DESC LIMIT 1
                """)
            statement.bind(name, at: 1)
            statement.bind(sha256, at: 2)
            return try statement.step() ? statement.text(at: 0) : nil
        }
    }

    /// The next job id of job `name` on `date`: `<name>-<yyyyMMdd>-<n>`.
    public func nextJobID(jobName name: String, date: Date) throws -> String {
        let prefix = "\(name)-\(Timestamp.compact(date).prefix(8))-"
        return try guarded {
            let statement = try connection.prepare("SELECT job_id FROM runs WHERE substr(job_id, 1, length(?1)) = ?1")
            statement.bind(prefix, at: 1)
            var highest = 0
            while try statement.step() {
                if let id = statement.text(at: 0), let n = Int(id.dropFirst(prefix.count)) { highest = max(highest, n) }
            }
            return prefix + String(highest + 1)
        }
    }

    /// What the vault recorded of a job id, if it ran before: how it ended and what it read.
    struct PriorRun {
        let status: String
        let kind: String
        /// The inputs' hashes in order, recorded when the run started (empty when it read
        /// standard input, or ran before this was recorded).
        let inputs: [InputDigest]
        let report: ReconciliationReport?
    }

    /// The earlier run of a job id, if any.
    func priorRun(jobID: String) throws -> PriorRun? {
        try guarded {
            let run = try connection.prepare("SELECT id, status, kind, report FROM runs WHERE job_id = ?")
            run.bind(jobID, at: 1)
            guard try run.step() else { return nil }
            let inputs = try connection.prepare("SELECT sha256, bytes FROM run_inputs WHERE run_id = ? ORDER BY position")
            inputs.bind(Int(run.int64(at: 0)), at: 1)
            var digests: [InputDigest] = []
            while try inputs.step() { digests.append(InputDigest(sha256: inputs.text(at: 0) ?? "", bytes: inputs.int(at: 1))) }
            return PriorRun(status: run.text(at: 1) ?? "", kind: run.text(at: 2) ?? "", inputs: digests,
                            report: run.text(at: 3).flatMap { try? ReconciliationReport.decode($0) })
        }
    }

    /// Records a run's inputs and their hashes at its start, so a crashed run can be recognised.
    func recordPlannedInputs(_ run: RunRecord, inputs: [(path: String, sha256: String, bytes: Int)]) throws {
        try guarded {
            try connection.transaction {
                try connection.run("DELETE FROM run_inputs WHERE run_id = ?", .integer(run.id))
                for (position, input) in inputs.enumerated() {
                    try connection.run("INSERT INTO run_inputs(run_id, position, path, sha256, bytes, rows) VALUES (?, ?, ?, ?, ?, 0)",
                                       .integer(run.id), .int(position), .text(input.path), .text(input.sha256), .int(input.bytes))
                }
            }
        }
    }

    /// One run as the vault recorded it.
    public struct StoredRun: Sendable {
        public let id: Int64
        public let jobID: String
        public let kind: String
        public let status: String
        public let startedAt: String
        public let finishedAt: String?
        public let report: ReconciliationReport?
        /// Instruments this run created (deleted ones included): what its `new` must equal.
        public let tokensCreated: Int
    }

    /// Runs, oldest first, optionally one job id or those started since a date.
    public func storedRuns(jobID: String? = nil, since: Date? = nil) throws -> [StoredRun] {
        try guarded {
            var created: [Int64: Int] = [:]
            let counts = try connection.prepare("SELECT created_run, count(*) FROM instruments GROUP BY created_run")
            while try counts.step() { created[counts.int64(at: 0)] = counts.int(at: 1) }
            var sql = "SELECT id, job_id, kind, status, started_at, finished_at, report FROM runs"
            var arguments: [SQLiteValue] = []
            if let jobID {
                sql += " WHERE job_id = ?"
                arguments.append(.text(jobID))
            } else if let since {
                sql += " WHERE started_at >= ?"
                arguments.append(.text(Timestamp.iso8601(since)))
            }
            let statement = try connection.prepare(sql + " ORDER BY id")
            for (index, argument) in arguments.enumerated() { try statement.bind(argument, at: Int32(index + 1)) }
            var runs: [StoredRun] = []
            while try statement.step() {
                let id = statement.int64(at: 0)
                runs.append(StoredRun(
                    id: id, jobID: statement.text(at: 1) ?? "", kind: statement.text(at: 2) ?? "",
                    status: statement.text(at: 3) ?? "", startedAt: statement.text(at: 4) ?? "",
                    finishedAt: statement.text(at: 5), report: statement.text(at: 6).flatMap { try? ReconciliationReport.decode($0) },
                    tokensCreated: created[id] ?? 0))
            }
            return runs
        }
    }

    /// Every instrument ever created, deleted ones included.
    public func instrumentCount() throws -> Int {
        Int(try guarded { try connection.integer("SELECT count(*) FROM instruments") } ?? 0)
    }
}
