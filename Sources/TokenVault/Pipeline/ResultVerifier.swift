import Foundation
import Logging

/// `tokenvault verify`: proves a result file against the vault, row by row.
///
/// Each valid input row's fingerprint is recomputed; the vault must hold that instrument under
/// exactly the token the result file gives; rejected rows must have no token; no row may be
/// missing or extra. This is how a migration's result file is proven.
public final class ResultVerifier {
    /// A row where the result file and the vault disagree. `alias` is masked.
    public struct Mismatch: Sendable, Equatable {
        public let row: Int
        public let alias: String
        public let reason: String
    }

    public struct Outcome: Sendable {
        public var rowsChecked = 0
        public var tokensConfirmed = 0
        public var mismatches: [Mismatch] = []
    }

    private let vault: Vault
    private let kind: InstrumentKind
    private let inputPath: String
    private let resultsPath: String
    private let format: InputFormat?
    private let delimiter: UInt8
    private let columnMap: [ColumnMapping]
    private let now: Date
    /// The input's path as the run named it in the results' `file` column, when it has moved.
    private let recordedInputPath: String?

    public init(vault: Vault, kind: InstrumentKind, inputPath: String, resultsPath: String, format: InputFormat? = nil,
                delimiter: UInt8 = UInt8(ascii: ","), columnMap: [ColumnMapping] = [], now: Date = Date(),
                recordedInputPath: String? = nil) {
        self.vault = vault
        self.kind = kind
        self.inputPath = inputPath
        self.resultsPath = resultsPath
        self.format = format
        self.delimiter = delimiter
        self.columnMap = columnMap
        self.now = now
        self.recordedInputPath = recordedInputPath
    }

    public func run() throws -> Outcome {
        guard let inputFormat = format ?? InputFormat.inferred(fromPath: inputPath) else {
            throw TokenVaultError(.usage, "cannot tell the format of \(inputPath) from its name: give --format")
        }
        let mapping = try FieldMapping(kind: kind, overrides: columnMap.map { ($0.field, $0.column) })
        // Expired cards are checked like any other: a row rejected only for its expiry may have
        // been valid when the run happened, so both outcomes are accepted for it.
        let validator: any InstrumentValidator = kind == .card
            ? CardValidator(currentMonth: YearMonth(now), allowExpired: true) : BankAccountValidator(today: now)
        let currentMonth = YearMonth(now)
        let reader = RecordReader(source: try InputSource(path: inputPath), format: inputFormat, delimiter: delimiter)
        var layout: ColumnLayout?
        if inputFormat == .csv {
            let header = try reader.readHeader()
            layout = try mapping.layout(forHeader: header, path: inputPath)
        }
        let results = try ResultFileReader(path: resultsPath, inputPath: recordedInputPath ?? inputPath)
        let preparer = RowPreparer(kind: kind, format: inputFormat, delimiter: delimiter, mapping: mapping,
                                   validator: validator, crypto: vault.crypto, sealing: false)
        var outcome = Outcome()
        var pending = try results.next()
        var sequence = 0
        while let raw = try reader.nextBatch(maxRecords: 4096, sequence: sequence, inputIndex: 0) {
            sequence += 1
            let batch = preparer.prepare(raw, layout: layout)
            // One lookup per batch: the vault's token for every valid row's fingerprint.
            let valid = batch.rows.compactMap { $0.instrument?.fingerprint }
            var storedTokens = try vault.tokens(forFingerprints: valid).makeIterator()
            for row in batch.rows {
                // Taken before any `continue`, so the tokens stay aligned with the valid rows.
                let stored: Token? = row.instrument == nil ? nil : storedTokens.next() ?? nil
                outcome.rowsChecked += 1
                let alias = row.instrument?.display.alias ?? ""
                func mismatch(_ reason: String) { outcome.mismatches.append(Mismatch(row: row.row, alias: alias, reason: reason)) }
                while let result = pending, result.row < row.row {
                    outcome.mismatches.append(Mismatch(row: result.row, alias: "", reason: "the result file has a row the input does not have (or out of order)"))
                    pending = try results.next()
                }
                guard let result = pending, result.row == row.row else {
                    mismatch("missing from the result file")
                    continue
                }
                pending = try results.next()
                guard let instrument = row.instrument else {
                    if result.status != "rejected" || !result.token.isEmpty {
                        mismatch("the input row is not valid, but the result file gives it \(result.token.isEmpty ? "status \(result.status)" : "a token")")
                    }
                    continue
                }
                let expired = instrument.display.expiry.map { $0 < currentMonth } ?? false
                if result.status == "rejected" {
                    if !result.token.isEmpty { mismatch("a rejected row has a token") }
                    else if !expired { mismatch("the row is valid but the result file says rejected") }
                    continue
                }
                guard let token = Token(result.token) else {
                    mismatch("the result file has no valid token for a \(result.status) row")
                    continue
                }
                if let stored, stored == token {
                    outcome.tokensConfirmed += 1
                } else {
                    mismatch(stored == nil ? "the vault does not hold this instrument" : "the vault holds this instrument under another token")
                }
            }
        }
        while let result = pending {
            outcome.mismatches.append(Mismatch(row: result.row, alias: "", reason: "the result file has a row the input does not have"))
            pending = try results.next()
        }
        try vault.audit(command: "verify", jobID: nil, details: [
            ("input", inputPath), ("results", resultsPath), ("rows", "\(outcome.rowsChecked)"),
            ("confirmed", "\(outcome.tokensConfirmed)"), ("mismatches", "\(outcome.mismatches.count)"),
        ])
        return outcome
    }
}
