import Foundation
import Logging
import TokenVault

/// The human summary of a run (stdout) and the stage timings (stderr).
enum RunSummary {
    static func text(_ outcome: TokenizeOutcome) -> String {
        let r = outcome.report
        let files = r.inputs.count == 1 ? r.inputs[0].path : "\(r.inputs.count) files"
        var text =
            (r.status == .dryRun ? "Dry run, nothing written: " : "")
            + "Job \(r.jobID): \(Formatting.grouped(r.counts.rows)) \(r.kind.rawValue) rows from \(files) in "
            + String(format: "%.1f s (%@ rows/s): ", r.durationSeconds, Formatting.grouped(Int(r.rowsPerSecond)))
            + "\(Formatting.grouped(r.counts.new)) new, \(Formatting.grouped(r.counts.existing)) existing, "
            + "\(Formatting.grouped(r.counts.rejected)) rejected, \(Formatting.grouped(r.counts.warnings)) warnings"
            + (r.counts.updated.map { ", \(Formatting.grouped($0)) updated. " } ?? ". ")
            + "Vault tokens \(Formatting.grouped(r.vault.tokensBefore)) → \(Formatting.grouped(r.vault.tokensAfter)). "
        if let failure = outcome.failure, r.status == .interrupted {
            text += "INTERRUPTED: \(failure.message). Results of the committed rows: \(outcome.resultsPath); report: \(outcome.reportPath)."
        } else if let failure = outcome.failure {
            text += "FAILED: \(failure.message). Partial results: \(outcome.resultsPath); report: \(outcome.reportPath)."
        } else {
            text += "Results: \(outcome.resultsPath); errors: \(outcome.errorsPath); report: \(outcome.reportPath)."
        }
        return text
    }

    /// A job id reused over the same inputs after it completed: nothing ran.
    static func alreadyCompleted(_ outcome: TokenizeOutcome) -> String {
        let r = outcome.report
        return "Job \(r.jobID) already completed over these inputs (\(Formatting.grouped(r.counts.rows)) rows, finished \(r.finishedAt)); "
            + "nothing was run and its outputs are untouched: \(outcome.resultsPath), \(outcome.reportPath)."
    }

    /// - Parameter logger: with JSON logs, the timings are one `run.timings` event instead of text.
    static func printTimings(_ outcome: TokenizeOutcome, logger: Logger? = nil) {
        let t = outcome.timings
        let rows = outcome.report.counts.rows
        if let logger {
            logger.notice(
                "run.timings",
                metadata: [
                    "rows": .stringConvertible(rows), "wall_seconds": .stringConvertible(t.wall),
                    "peak_rss_bytes": .stringConvertible(Int(t.peakRSSBytes)), "process_cpu_seconds": .stringConvertible(t.processCPU),
                    "read_seconds": .stringConvertible(t.read), "prepare_seconds": .stringConvertible(t.prepare),
                    "vault_seconds": .stringConvertible(t.vault), "format_seconds": .stringConvertible(t.format),
                    "write_seconds": .stringConvertible(t.write),
                ])
            return
        }
        let text = String(
            format: "timings: %@ rows in %.2f s = %@ rows/s; peak RSS %.1f MB; process CPU %.2f s\n"
                + "stage CPU seconds: read+gunzip %.2f | parse+validate+crypto %.2f | vault writer %.2f | format+compress %.2f | file writes %.2f\n",
            Formatting.grouped(rows), t.wall, Formatting.grouped(t.wall > 0 ? Int(Double(rows) / t.wall) : 0),
            Double(t.peakRSSBytes) / 1e6, t.processCPU, t.read, t.prepare, t.vault, t.format, t.write)
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The one job-level warning for input columns or JSON keys that feed no field: their count
    /// and names made safe to log (`UntrustedText`), never a value.
    static func warnUnknownColumns(_ outcome: TokenizeOutcome, jobID: String, logger: Logger) {
        guard !outcome.unknownColumns.isEmpty else { return }
        logger.warning(
            "input.columns_ignored",
            metadata: [
                "job_id": .string(jobID), "count": .stringConvertible(outcome.unknownColumns.count),
                "columns": .string(UntrustedText.names(outcome.unknownColumns)),
            ])
    }

    /// The run's counts as one log event (numbers stay JSON numbers).
    static func logCounts(_ outcome: TokenizeOutcome, logger: Logger) {
        let r = outcome.report
        logger.info(
            "run.counts",
            metadata: [
                "job_id": .string(r.jobID), "status": .string(r.status.rawValue),
                "rows": .stringConvertible(r.counts.rows), "new": .stringConvertible(r.counts.new),
                "existing": .stringConvertible(r.counts.existing), "rejected": .stringConvertible(r.counts.rejected),
                "warnings": .stringConvertible(r.counts.warnings),
            ])
    }
}
