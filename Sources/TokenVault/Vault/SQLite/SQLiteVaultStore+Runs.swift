/// Runs, their inputs (resume state) and the audit trail.
extension SQLiteVaultStore {
    func beginRun(jobID: String, kind: InstrumentKind, startedAt: String) throws -> RunRecord {
        try SQLiteError.guarded {
            try connection.transaction {
                let existing = try connection.prepare("SELECT id, kind, tokens_before FROM runs WHERE job_id = ?")
                existing.bind(jobID, at: 1)
                if try existing.step() {
                    let id = existing.int64(at: 0)
                    guard existing.text(at: 1) == kind.rawValue else {
                        throw TokenVaultError(
                            .usage, "job id \(jobID) was used for \(existing.text(at: 1) ?? "?") rows; pick another job id")
                    }
                    let before = existing.int(at: 2)
                    try connection.run("UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?", .integer(id))
                    return RunRecord(id: id, jobID: jobID, kind: kind, tokensBefore: before, resumed: true)
                }
                let before = try metaInteger("live_tokens")
                try connection.run(
                    "INSERT INTO runs(job_id, kind, status, started_at, tokens_before) VALUES (?, ?, 'running', ?, ?)",
                    .text(jobID), .text(kind.rawValue), .text(startedAt), .int(before))
                return RunRecord(id: connection.lastInsertedRowID, jobID: jobID, kind: kind, tokensBefore: before, resumed: false)
            }
        }
    }

    func recordPlannedInputs(_ run: RunRecord, inputs: [PlannedInput]) throws {
        try SQLiteError.guarded {
            try connection.transaction {
                try connection.run("DELETE FROM run_inputs WHERE run_id = ?", .integer(run.id))
                for (position, input) in inputs.enumerated() {
                    try connection.run(
                        "INSERT INTO run_inputs(run_id, position, path, sha256, bytes, rows) VALUES (?, ?, ?, ?, ?, 0)",
                        .integer(run.id), .int(position), .text(input.path), .text(input.sha256), .int(input.bytes))
                }
            }
        }
    }

    func finishRun(_ run: RunRecord, report: ReconciliationReport, reportJSON: String) throws {
        try fileIdentity?.check()
        try SQLiteError.guarded {
            try connection.transaction {
                try connection.run(
                    "UPDATE runs SET status = ?, finished_at = ?, tokens_after = ?, report = ? WHERE id = ?",
                    .text(report.status.rawValue), .text(report.finishedAt), .int(report.vault.tokensAfter),
                    .text(reportJSON), .integer(run.id))
                try connection.run("DELETE FROM run_inputs WHERE run_id = ?", .integer(run.id))
                for (position, input) in report.inputs.enumerated() {
                    try connection.run(
                        "INSERT INTO run_inputs(run_id, position, path, sha256, bytes, rows) VALUES (?, ?, ?, ?, ?, ?)",
                        .integer(run.id), .int(position), .text(input.path), .text(input.sha256), .int(input.bytes), .int(input.rows))
                }
            }
        }
    }

    func completedRun(forSHA256 sha256: String) throws -> String? {
        try SQLiteError.guarded {
            let statement = try connection.prepare(
                """
                SELECT r.job_id FROM runs r JOIN run_inputs i ON i.run_id = r.id
                WHERE i.sha256 = ? AND r.status = 'completed' ORDER BY r.id DESC LIMIT 1
                """)
            statement.bind(sha256, at: 1)
            return try statement.step() ? statement.text(at: 0) : nil
        }
    }

    func unfinishedRun(jobName name: String, sha256: String) throws -> String? {
        try SQLiteError.guarded {
            let statement = try connection.prepare(
                """
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

    func priorRun(jobID: String) throws -> PriorRun? {
        try SQLiteError.guarded {
            let run = try connection.prepare("SELECT id, status, kind, report FROM runs WHERE job_id = ?")
            run.bind(jobID, at: 1)
            guard try run.step() else { return nil }
            let inputs = try connection.prepare("SELECT sha256, bytes FROM run_inputs WHERE run_id = ? ORDER BY position")
            inputs.bind(run.int64(at: 0), at: 1)
            var digests: [InputDigest] = []
            while try inputs.step() { digests.append(InputDigest(sha256: inputs.text(at: 0) ?? "", bytes: inputs.int(at: 1))) }
            return PriorRun(
                status: run.text(at: 1) ?? "", kind: run.text(at: 2) ?? "", inputs: digests,
                report: run.text(at: 3).flatMap { try? ReconciliationReport.decode($0) })
        }
    }

    func jobIDs(startingWith prefix: String) throws -> [String] {
        try SQLiteError.guarded {
            let statement = try connection.prepare("SELECT job_id FROM runs WHERE substr(job_id, 1, length(?1)) = ?1")
            statement.bind(prefix, at: 1)
            var ids: [String] = []
            while try statement.step() {
                if let id = statement.text(at: 0) { ids.append(id) }
            }
            return ids
        }
    }

    func storedRuns(jobID: String?, since: String?) throws -> [StoredRun] {
        try SQLiteError.guarded {
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
                arguments.append(.text(since))
            }
            let statement = try connection.prepare(sql + " ORDER BY id")
            for (index, argument) in arguments.enumerated() { try statement.bind(argument, at: Int32(index + 1)) }
            var runs: [StoredRun] = []
            while try statement.step() {
                let id = statement.int64(at: 0)
                runs.append(
                    StoredRun(
                        id: id, jobID: statement.text(at: 1) ?? "", kind: statement.text(at: 2) ?? "",
                        status: statement.text(at: 3) ?? "", startedAt: statement.text(at: 4) ?? "",
                        finishedAt: statement.text(at: 5), report: statement.text(at: 6).flatMap { try? ReconciliationReport.decode($0) },
                        tokensCreated: created[id] ?? 0))
            }
            return runs
        }
    }

    func appendAudit(_ entry: AuditEntry) throws {
        try SQLiteError.guarded {
            try connection.run(
                "INSERT INTO audit(at, os_user, host, command, job_id, details) VALUES (?, ?, ?, ?, ?, ?)",
                .text(entry.at), .text(entry.user), .text(entry.host),
                .text(entry.command), .optionalText(entry.jobID), .text(entry.details))
        }
    }

    func auditEntries(since: String?) throws -> [AuditEntry] {
        try SQLiteError.guarded {
            let statement = try connection.prepare(
                "SELECT at, os_user, host, command, job_id, details FROM audit WHERE at >= ? ORDER BY id")
            statement.bind(since ?? "", at: 1)
            var entries: [AuditEntry] = []
            while try statement.step() {
                entries.append(
                    AuditEntry(
                        at: statement.text(at: 0) ?? "", user: statement.text(at: 1) ?? "", host: statement.text(at: 2) ?? "",
                        command: statement.text(at: 3) ?? "", jobID: statement.text(at: 4), details: statement.text(at: 5) ?? "{}"))
            }
            return entries
        }
    }
}
