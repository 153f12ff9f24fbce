/// Counts of a run, tallied by the vault writer as it resolves rows.
///
/// Counts move from `pending` to `committed` when their transaction commits, so a failed run
/// reports only what the vault holds.
struct RunTally: Sendable {
    var counts = ReconciliationReport.Counts()
    var errorsByCode: [String: Int] = [:]
    var byGroup: [String: Int] = [:]
    var rowsByInput: [Int: Int] = [:]

    mutating func add(_ batch: PreparedBatch) {
        counts.rows += batch.rows.count
        rowsByInput[batch.inputIndex, default: 0] += batch.rows.count
        for row in batch.rows {
            switch row.status {
            case .new: counts.new += 1
            case .existing: counts.existing += 1
            case .rejected, .pending: counts.rejected += 1
            }
            if row.status == .new || row.status == .existing, let display = row.instrument?.display {
                byGroup[display.brandOrCountry, default: 0] += 1
            }
            for issue in row.issues {
                errorsByCode[issue.code.rawValue, default: 0] += 1
                if issue.severity == .warning { counts.warnings += 1 }
            }
        }
    }

    mutating func add(_ other: RunTally) {
        counts.rows += other.counts.rows
        counts.new += other.counts.new
        counts.existing += other.counts.existing
        counts.rejected += other.counts.rejected
        counts.warnings += other.counts.warnings
        errorsByCode.merge(other.errorsByCode, uniquingKeysWith: +)
        byGroup.merge(other.byGroup, uniquingKeysWith: +)
        rowsByInput.merge(other.rowsByInput, uniquingKeysWith: +)
    }
}
