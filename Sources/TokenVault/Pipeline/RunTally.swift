/// Counts of a run.
///
/// Workers count what is known before the vault (rows, rejections, issues, brands) per batch;
/// the writer adds new and existing. Counts move from pending to committed when their
/// transaction commits, so a failed run reports only what the vault holds.
struct RunTally: Sendable {
    var counts = ReconciliationReport.Counts()
    var errorsByCode: [String: Int] = [:]
    /// Issues by input field; `(row)` for issues about the whole row.
    var errorsByField: [String: Int] = [:]
    var byGroup: [String: Int] = [:]
    var rowsByInput: [Int: Int] = [:]

    /// Counts a prepared row (on a worker).
    mutating func addPrepared(_ row: PreparedRow) {
        counts.rows += 1
        if let instrument = row.instrument {
            byGroup[instrument.display.brandOrCountry, default: 0] += 1
        } else {
            counts.rejected += 1
        }
        for issue in row.issues {
            errorsByCode[issue.code.rawValue, default: 0] += 1
            errorsByField[issue.property.isEmpty ? "(row)" : issue.property, default: 0] += 1
            if issue.severity == .warning { counts.warnings += 1 }
        }
    }

    mutating func add(_ other: RunTally) {
        counts.rows += other.counts.rows
        counts.new += other.counts.new
        counts.existing += other.counts.existing
        counts.rejected += other.counts.rejected
        counts.warnings += other.counts.warnings
        if let updated = other.counts.updated { counts.updated = (counts.updated ?? 0) + updated }
        errorsByCode.merge(other.errorsByCode, uniquingKeysWith: +)
        errorsByField.merge(other.errorsByField, uniquingKeysWith: +)
        byGroup.merge(other.byGroup, uniquingKeysWith: +)
        rowsByInput.merge(other.rowsByInput, uniquingKeysWith: +)
    }
}
