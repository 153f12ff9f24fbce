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
    private let format: RecordFormat?
    private let delimiter: UInt8
    private let columnMap: [ColumnMapping]
    private let now: Date
    /// The input's path as the run named it in the results' `file` column, when it has moved.
    private let recordedInputPath: String?
    /// Keys for an OpenPGP input or results file (SPEC §11), read through the same chain as a run's.
    private let openPGP: OpenPGPSession

    public init(
        vault: Vault, kind: InstrumentKind, inputPath: String, resultsPath: String, format: RecordFormat? = nil,
        delimiter: UInt8 = UInt8(ascii: ","), columnMap: [ColumnMapping] = [], now: Date = Date(),
        recordedInputPath: String? = nil, openPGP: OpenPGPSettings = OpenPGPSettings()
    ) {
        self.openPGP = OpenPGPSession(settings: openPGP)
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

    /// What the vault says about a row's `new`/`existing`: the creator of its record.
    struct StatusEvidence {
        let row: Int
        let claimsNew: Bool
        let createdRun: Int64
        let createdInput: Int
        let createdRow: Int
    }

    /// A row is new exactly when the file's own run created its record at that row. The file's
    /// run is the latest run among the records its `new` rows claim: every instrument it found
    /// existing was created before it, or by itself at an earlier row.
    static func statusMismatches(_ rows: [StatusEvidence]) -> [Mismatch] {
        let claimed = rows.filter { $0.claimsNew && $0.createdRow == $0.row }
        guard let run = claimed.map(\.createdRun).max() else {
            return rows.filter(\.claimsNew).map {
                Mismatch(row: $0.row, alias: "", reason: "the result file says new, but the vault's record was not created by this row")
            }
        }
        let input = claimed.first { $0.createdRun == run }!.createdInput
        return rows.compactMap { evidence in
            let createdHere = evidence.createdRun == run && evidence.createdInput == input && evidence.createdRow == evidence.row
            switch (evidence.claimsNew, createdHere) {
            case (true, false):
                return Mismatch(
                    row: evidence.row, alias: "", reason: "the result file says new, but the vault's record was not created by this row")
            case (false, true):
                return Mismatch(
                    row: evidence.row, alias: "", reason: "the result file says existing, but this row created the vault's record")
            default:
                return nil
            }
        }
    }

    /// `MM/YY`, as result files show an expiry.
    static func shortExpiry(_ month: YearMonth) -> String {
        String(format: "%02d/%02d", month.month, month.year % 100)
    }

    public func run() throws -> Outcome {
        guard let inputFormat = format ?? RecordFormat.inferred(fromPath: inputPath) else {
            throw TokenVaultError(.usage, "cannot tell the format of \(inputPath) from its name: give --format")
        }
        let mapping = try FieldMapping(kind: kind, overrides: columnMap.map { ($0.field, $0.column) })
        // Expired cards are checked like any other: a row rejected only for its expiry may have
        // been valid when the run happened, so both outcomes are accepted for it.
        let validator: any InstrumentValidator =
            kind == .card
            ? CardValidator(currentMonth: YearMonth(now), allowExpired: true) : BankAccountValidator(today: now)
        let currentMonth = YearMonth(now)
        let reader = RecordReader(source: try InputSource(path: inputPath, openPGP: openPGP), format: inputFormat, delimiter: delimiter)
        var layout: ColumnLayout?
        if reader.hasHeader {
            let header = try reader.readHeader()
            layout = try mapping.layout(forHeader: header, path: inputPath)
        }
        let results = try ResultFileReader(path: resultsPath, inputPath: recordedInputPath ?? inputPath, openPGP: openPGP)
        let preparer = RowPreparer(
            kind: kind, format: inputFormat, delimiter: delimiter, mapping: mapping,
            validator: validator, crypto: vault.crypto, sealing: false)
        var outcome = Outcome()
        var pending = try results.next()
        var sequence = 0
        var statuses: [StatusEvidence] = []
        while let raw = try reader.nextBatch(maxRecords: 4096, sequence: sequence, inputIndex: 0) {
            sequence += 1
            let batch = preparer.prepare(raw, layout: layout)
            // Pair each input row with its result line first, then look the batch up at once.
            var pairs: [(row: PreparedRow, result: ResultFileReader.Row?)] = []
            pairs.reserveCapacity(batch.rows.count)
            for row in batch.rows {
                while let result = pending, result.row < row.row {
                    outcome.mismatches.append(
                        Mismatch(row: result.row, alias: "", reason: "the result file has a row the input does not have (or out of order)"))
                    pending = try results.next()
                }
                if let result = pending, result.row == row.row {
                    pairs.append((row, result))
                    pending = try results.next()
                } else {
                    pairs.append((row, nil))
                }
            }
            // The rows that name a token for a valid instrument: looked up in the vault, in order.
            let checked = pairs.compactMap { pair -> (Fingerprint, Token)? in
                guard let instrument = pair.row.instrument, let result = pair.result, result.status != "rejected",
                    let token = Token(result.token)
                else { return nil }
                return (instrument.fingerprint, token)
            }
            var storedTokens = try vault.tokens(forFingerprints: checked.map(\.0)).makeIterator()
            var records = try vault.instruments(withTokens: checked.map(\.1)).makeIterator()
            for (row, result) in pairs {
                outcome.rowsChecked += 1
                let alias = row.instrument?.display.alias ?? ""
                func mismatch(_ reason: String) { outcome.mismatches.append(Mismatch(row: row.row, alias: alias, reason: reason)) }
                guard let result else {
                    mismatch("missing from the result file")
                    continue
                }
                guard let instrument = row.instrument else {
                    if result.status != "rejected" || !result.token.isEmpty {
                        mismatch(
                            "the input row is not valid, but the result file gives it \(result.token.isEmpty ? "status \(result.status)" : "a token")"
                        )
                    }
                    continue
                }
                let expired = instrument.display.expiry.map { $0 < currentMonth } ?? false
                if result.status == "rejected" {
                    if !result.token.isEmpty {
                        mismatch("a rejected row has a token")
                    } else if !expired {
                        mismatch("the row is valid but the result file says rejected")
                    }
                    continue
                }
                guard let token = Token(result.token) else {
                    mismatch("the result file has no valid token for a \(result.status) row")
                    continue
                }
                // Taken for every row in `checked`, so the lookups stay aligned with the rows.
                let stored = storedTokens.next() ?? nil
                let record = records.next() ?? nil
                guard let stored, stored == token else {
                    mismatch(
                        stored == nil ? "the vault does not hold this instrument" : "the vault holds this instrument under another token")
                    continue
                }
                guard let record, let sealed = record.sealed else {
                    mismatch("the vault has no live record for this token")
                    continue
                }
                // The record under this token must be this very instrument (the fingerprint
                // index could have been altered), and the line must show what the vault holds.
                let payload: [SealedPayload.Tag: String]
                do {
                    try vault.crypto.checkBinding(
                        of: instrument.fingerprint, to: token, kind: kind, sealed: sealed, dataKey: record.dataKey)
                    payload = try SealedPayload.decode(try vault.crypto.open(sealed, token: token, kind: kind, keyVersion: record.dataKey))
                } catch let error as TokenVaultError {
                    mismatch(error.message)
                    continue
                }
                if result.group != instrument.display.brandOrCountry {
                    mismatch(
                        "the result file says \(kind == .card ? "brand" : "country") '\(result.group)', the instrument's is '\(instrument.display.brandOrCountry)'"
                    )
                    continue
                }
                if kind == .card {
                    let own = instrument.display.expiry.map(Self.shortExpiry) ?? ""
                    let held = payload[.expiry].flatMap { $0.count == 6 ? "\($0.suffix(2))/\($0.dropFirst(2).prefix(2))" : nil } ?? ""
                    if result.expiry != own && result.expiry != held {
                        mismatch("the result file's expiry is neither the row's nor the vault's")
                        continue
                    }
                }
                guard result.status == "new" || result.status == "existing" else {
                    mismatch("unknown status '\(result.status)'")
                    continue
                }
                statuses.append(
                    StatusEvidence(
                        row: row.row, claimsNew: result.status == "new", createdRun: record.createdRun,
                        createdInput: record.createdInput, createdRow: record.createdRow))
                outcome.tokensConfirmed += 1
            }
        }
        for mismatch in Self.statusMismatches(statuses) {
            outcome.mismatches.append(mismatch)
            outcome.tokensConfirmed -= 1
        }
        outcome.mismatches.sort { $0.row < $1.row }
        while let result = pending {
            outcome.mismatches.append(Mismatch(row: result.row, alias: "", reason: "the result file has a row the input does not have"))
            pending = try results.next()
        }
        try vault.audit(
            command: "verify", jobID: nil,
            details: [
                ("input", inputPath), ("results", resultsPath), ("rows", "\(outcome.rowsChecked)"),
                ("confirmed", "\(outcome.tokensConfirmed)"), ("mismatches", "\(outcome.mismatches.count)"),
            ])
        return outcome
    }
}
