/// Runs, their inputs (resume state) and the audit trail.
extension PostgreSQLVaultStore {
    func beginRun(jobID: String, kind: InstrumentKind, startedAt: String) throws -> RunRecord {
        try PostgreSQLError.guarded {
            try connection.transaction {
                let before = try metaInteger("live_tokens")
                // Two processes starting one job id at once: the unique job id lets one insert.
                let inserted = try connection.query(
                    """
                    INSERT INTO runs(job_id, kind, status, started_at, tokens_before) VALUES ($1, $2, 'running', $3, $4)
                    ON CONFLICT (job_id) DO NOTHING RETURNING id
                    """, [jobID, kind.rawValue, startedAt, String(before)])
                if inserted.rowCount == 1 {
                    return RunRecord(id: inserted.int64(0, 0), jobID: jobID, kind: kind, tokensBefore: before, resumed: false)
                }
                let existing = try connection.query("SELECT id, kind, tokens_before FROM runs WHERE job_id = $1 FOR UPDATE", [jobID])
                guard existing.rowCount == 1 else {
                    throw TokenVaultError(.vaultBusy, "the run of job id \(jobID) vanished while starting")
                }
                let id = existing.int64(0, 0)
                guard existing.text(0, 1) == kind.rawValue else {
                    throw TokenVaultError(.usage, "job id \(jobID) was used for \(existing.text(0, 1) ?? "?") rows; pick another job id")
                }
                try connection.query("UPDATE runs SET status = 'running', finished_at = NULL WHERE id = $1", [String(id)])
                return RunRecord(id: id, jobID: jobID, kind: kind, tokensBefore: existing.int(0, 2), resumed: true)
            }
        }
    }

    func recordPlannedInputs(_ run: RunRecord, inputs: [PlannedInput]) throws {
        try PostgreSQLError.guarded {
            try connection.transaction {
                try connection.query("DELETE FROM run_inputs WHERE run_id = $1", [String(run.id)])
                for (position, input) in inputs.enumerated() {
                    try connection.query(
                        "INSERT INTO run_inputs(run_id, position, path, sha256, bytes, rows) VALUES ($1, $2, $3, $4, $5, 0)",
                        [String(run.id), String(position), input.path, input.sha256, String(input.bytes)])
                }
            }
        }
    }

    func finishRun(_ run: RunRecord, report: ReconciliationReport, reportJSON: String) throws {
        try PostgreSQLError.guarded {
            try connection.transaction {
                try connection.query(
                    "UPDATE runs SET status = $1, finished_at = $2, tokens_after = $3, report = $4 WHERE id = $5",
                    [report.status.rawValue, report.finishedAt, String(report.vault.tokensAfter), reportJSON, String(run.id)])
                try connection.query("DELETE FROM run_inputs WHERE run_id = $1", [String(run.id)])
                for (position, input) in report.inputs.enumerated() {
                    try connection.query(
                        "INSERT INTO run_inputs(run_id, position, path, sha256, bytes, rows) VALUES ($1, $2, $3, $4, $5, $6)",
                        [String(run.id), String(position), input.path, input.sha256, String(input.bytes), String(input.rows)])
                }
            }
        }
    }

    func completedRun(forSHA256 sha256: String) throws -> String? {
        try PostgreSQLError.guarded {
            try connection.query(
                """
                SELECT r.job_id FROM runs r JOIN run_inputs i ON i.run_id = r.id
                WHERE i.sha256 = $1 AND r.status = 'completed' ORDER BY r.id DESC LIMIT 1
                """, [sha256]
            ).text(0, 0)
        }
    }

    func unfinishedRun(jobName name: String, sha256: String) throws -> String? {
        try PostgreSQLError.guarded {
            try connection.query(
                """
                SELECT r.job_id FROM runs r JOIN run_inputs i ON i.run_id = r.id
                WHERE i.sha256 = $2 AND r.status IN ('running', 'failed', 'interrupted') AND left(r.job_id, length($1) + 1) = $1 || '-'
                ORDER BY r.id DESC LIMIT 1
                """, [name, sha256]
            ).text(0, 0)
        }
    }

    func priorRun(jobID: String) throws -> PriorRun? {
        try PostgreSQLError.guarded {
            let run = try connection.query("SELECT id, status, kind, report FROM runs WHERE job_id = $1", [jobID])
            guard run.rowCount == 1 else { return nil }
            let inputs = try connection.query("SELECT sha256, bytes FROM run_inputs WHERE run_id = $1 ORDER BY position", [run.text(0, 0)])
            return PriorRun(
                status: run.text(0, 1) ?? "", kind: run.text(0, 2) ?? "",
                inputs: (0..<inputs.rowCount).map { InputDigest(sha256: inputs.text($0, 0) ?? "", bytes: inputs.int($0, 1)) },
                report: run.text(0, 3).flatMap { try? ReconciliationReport.decode($0) })
        }
    }

    func jobIDs(startingWith prefix: String) throws -> [String] {
        try PostgreSQLError.guarded {
            let result = try connection.query("SELECT job_id FROM runs WHERE left(job_id, length($1)) = $1", [prefix])
            return (0..<result.rowCount).compactMap { result.text($0, 0) }
        }
    }

    func storedRuns(jobID: String?, since: String?) throws -> [StoredRun] {
        try PostgreSQLError.guarded {
            let counts = try connection.query("SELECT created_run, count(*) FROM instruments GROUP BY created_run")
            var created: [Int64: Int] = [:]
            for row in 0..<counts.rowCount { created[counts.int64(row, 0)] = counts.int(row, 1) }
            var sql = "SELECT id, job_id, kind, status, started_at, finished_at, report FROM runs"
            var parameters: [String?] = []
            if let jobID {
                sql += " WHERE job_id = $1"
                parameters.append(jobID)
            } else if let since {
                sql += " WHERE started_at >= $1"
                parameters.append(since)
            }
            let result = try connection.query(sql + " ORDER BY id", parameters)
            return (0..<result.rowCount).map { row in
                let id = result.int64(row, 0)
                return StoredRun(
                    id: id, jobID: result.text(row, 1) ?? "", kind: result.text(row, 2) ?? "", status: result.text(row, 3) ?? "",
                    startedAt: result.text(row, 4) ?? "", finishedAt: result.text(row, 5),
                    report: result.text(row, 6).flatMap { try? ReconciliationReport.decode($0) }, tokensCreated: created[id] ?? 0)
            }
        }
    }

    func appendAudit(_ entry: AuditEntry) throws {
        try PostgreSQLError.guarded {
            try connection.query(
                "INSERT INTO audit(at, os_user, host, command, job_id, details) VALUES ($1, $2, $3, $4, $5, $6)",
                [entry.at, entry.user, entry.host, entry.command, entry.jobID, entry.details])
        }
    }

    func auditEntries(since: String?) throws -> [AuditEntry] {
        try PostgreSQLError.guarded {
            let result = try connection.query(
                "SELECT at, os_user, host, command, job_id, details FROM audit WHERE at >= $1 ORDER BY id", [since ?? ""])
            return (0..<result.rowCount).map {
                AuditEntry(
                    at: result.text($0, 0) ?? "", user: result.text($0, 1) ?? "", host: result.text($0, 2) ?? "",
                    command: result.text($0, 3) ?? "", jobID: result.text($0, 4), details: result.text($0, 5) ?? "{}")
            }
        }
    }
}
