import Dispatch
import Foundation

/// `tokenvault detokenize`: the migration-out path. Writes each token's number and details
/// next to the input's other columns, to a file of mode 0600 (or to stdout when asked).
///
/// Streamed in batches; opening the sealed records runs on all cores. Unknown, deleted or
/// malformed tokens are error rows, not a failed run.
public final class Detokenizer {
    public struct Outcome: Sendable {
        public var rows = 0
        public var detokenized = 0
        /// Rows per error outcome (never `.detokenized`).
        public var errors: [DetokenizeOutcome: Int] = [:]
    }

    /// Where the numbers go.
    public enum Destination: Sendable {
        case file(String)
        case standardOutput
    }

    /// The columns appended to each row, per kind.
    static let cardColumns = [
        "card_number", "expiry_month", "expiry_year", "cardholder_name", "issue_number",
        "network_token", "network_token_expiry", "token_requestor_id", "payment_account_reference",
        "network_transaction_id",
    ]
    static let bankColumns = ["iban", "country_code", "bank_code", "branch_code", "account_number", "check_digit", "account_holder_name"]

    private let inputPath: String
    private let destination: Destination
    private let kind: InstrumentKind?
    private let concurrency: Int
    private let reader: TokenFileReader
    private let openPGP: OpenPGPSession
    /// The output chain's first layer: gzip members and CSV or JSON lines go in here.
    private let output: any ByteSink
    /// The output file, when the numbers go to one.
    private let file: OutputFile?
    /// Each write becomes a gzip member (`--out` ending in `.gz`, before any OpenPGP suffix).
    private let compress: Bool

    /// Opens the input and creates the output's temporary file, before any vault is opened: a bad
    /// `--out`, a missing input or an unknown `--encrypt-to` key is refused without touching (or
    /// creating) a vault.
    ///
    /// - Parameter openPGP: keys for an encrypted token file, and recipients that the output is
    ///   encrypted for (SPEC §11): then the numbers never touch the disk in clear.
    /// - Throws: `inputMissing`, `inputData`, `usage` (`-` as a file), `cannotCreateOutput` (73)
    ///   or `keyMissing`/`keyWrong` (77).
    public init(
        inputPath: String, destination: Destination, kind: InstrumentKind?, concurrency: Int,
        openPGP settings: OpenPGPSettings = OpenPGPSettings()
    ) throws {
        self.inputPath = inputPath
        self.destination = destination
        self.kind = kind
        self.concurrency = max(1, concurrency)
        openPGP = OpenPGPSession(settings: settings)
        try openPGP.checkRecipients()
        reader = try TokenFileReader(path: inputPath, openPGP: openPGP)
        switch destination {
        case .file(let path):
            let file = try OutputFile(path: path, mode: 0o600)
            compress = RecordFormat.strippingOpenPGPSuffix(path.lowercased()).hasSuffix(".gz")
            self.file = file
            output = try OutputChain(file: file, compressed: compress, openPGP: openPGP)
        case .standardOutput:
            compress = false
            file = nil
            output = try openPGP.encrypting(StandardOutputSink(), compress: true)
        }
    }

    deinit { openPGP.close() }

    /// Removes the output's temporary file when the run never starts (the vault cannot be opened).
    public func discard() {
        output.abandon()
        file?.discard()
    }

    public func run(vault: Vault) throws -> Outcome {
        // `outcome`, not `status`: result files, a common input, have a status column already.
        let added = ["outcome", "error", "kind"] + (kind == .bankAccount ? [] : Self.cardColumns) + (kind == .card ? [] : Self.bankColumns)
        func write(_ bytes: [UInt8]) throws {
            guard !bytes.isEmpty else { return }
            try output.write(compress ? GzipMember.compress(bytes, level: 3) : bytes)
        }
        // A column the input already has (a result file's `bank_code`, say) is filled in place
        // with the vault's value rather than repeated.
        let appended = added.filter { !reader.header.contains($0) }
        // The output is in the input's format.
        let encoder = reader.format.encoder()
        try write(encoder.header(reader.header + appended))
        let crypto = vault.crypto
        var outcome = Outcome()
        while true {
            let rows = try reader.next(limit: 4096)
            if rows.isEmpty { break }
            // Look up the batch on this thread (one store call), then open on all cores.
            let tokens = rows.map { $0.problem == nil ? Token($0.token) : nil }
            var records = try vault.instruments(withTokens: tokens.compactMap { $0 }).makeIterator()
            var found: [(token: Token, record: InstrumentRecord)?] = []
            var failures: [DetokenizeOutcome?] = []
            for (row, token) in zip(rows, tokens) {
                var failure: DetokenizeOutcome?
                var hit: (Token, InstrumentRecord)?
                if row.problem != nil {
                    failure = .malformedRecord
                } else if row.token.isEmpty {
                    failure = .missingField
                } else if let token {
                    if let record = records.next() ?? nil {
                        if record.deletedAt != nil {
                            failure = .tokenDeleted
                        } else if let kind, record.kind != kind {
                            failure = .kindMismatch
                        } else {
                            hit = (token, record)
                        }
                    } else {
                        failure = .tokenNotFound
                    }
                } else {
                    failure = .invalidFormat
                }
                found.append(hit)
                failures.append(failure)
            }
            let opened = Self.openAll(found, crypto: crypto, concurrency: concurrency)
            var out: [UInt8] = []
            for (index, row) in rows.enumerated() {
                outcome.rows += 1
                var values: [String: String] = [:]
                if let fields = opened[index] {
                    outcome.detokenized += 1
                    values = fields
                    values["outcome"] = DetokenizeOutcome.detokenized.column
                } else {
                    let failure = failures[index] ?? .vaultRecordUnreadable
                    outcome.errors[failure, default: 0] += 1
                    values = ["outcome": failure.column, "error": failure.errorText(kind: kind, problem: row.problem) ?? ""]
                }
                Self.append(row: row, values: values, added: added, encoder: encoder, to: &out)
            }
            try write(out)
        }
        try output.finish()
        try vault.audit(
            command: "detokenize", jobID: nil,
            details: [
                ("input", inputPath), ("output", { if case .file(let p) = destination { p } else { "stdout" } }()),
                ("rows", "\(outcome.rows)"), ("detokenized", "\(outcome.detokenized)"),
                ("errors", "\(outcome.errors.values.reduce(0, +))"),
            ])
        return outcome
    }

    /// Opens and decodes the found records on `concurrency` cores.
    private static func openAll(
        _ found: [(token: Token, record: InstrumentRecord)?], crypto: VaultCrypto, concurrency: Int
    ) -> [[String: String]?] {
        let results = OpenedRecords(count: found.count)
        let chunk = (found.count + concurrency - 1) / concurrency
        DispatchQueue.concurrentPerform(iterations: concurrency) { part in
            let start = part * chunk, end = min(found.count, start + chunk)
            guard start < end else { return }
            for index in start..<end {
                guard let (token, record) = found[index], let sealed = record.sealed,
                    let plain = try? crypto.open(sealed, token: token, kind: record.kind, keyVersion: record.dataKey),
                    let payload = try? SealedPayload.decode(plain)
                else { continue }
                results.set(index, fields(payload, kind: record.kind))
            }
        }
        return results.values
    }

    /// A payload's fields under the output's column names.
    static func fields(_ payload: [SealedPayload.Tag: String], kind: InstrumentKind) -> [String: String] {
        var out = ["kind": kind.rawValue]
        switch kind {
        case .card:
            out["card_number"] = payload[.cardNumber]
            if let expiry = payload[.expiry], expiry.count == 6 {
                out["expiry_year"] = String(expiry.prefix(4))
                out["expiry_month"] = String(expiry.suffix(2))
            }
            out["cardholder_name"] = payload[.holderName]
            out["issue_number"] = payload[.issueNumber]
            // Absent from records sealed before network tokens existed: empty columns.
            out["network_token"] = payload[.networkToken]
            if let expiry = payload[.networkTokenExpiry], expiry.count == 6 {
                // `MM/YY`, as `network_token_expiry` is read.
                out["network_token_expiry"] = "\(expiry.suffix(2))/\(expiry.dropFirst(2).prefix(2))"
            }
            out["token_requestor_id"] = payload[.tokenRequestorID]
            out["payment_account_reference"] = payload[.paymentAccountReference]
            out["network_transaction_id"] = payload[.networkTransactionID]
        case .bankAccount:
            out["iban"] = payload[.iban]
            if let iban = payload[.iban] {
                out["country_code"] = String(iban.prefix(2))
            } else {
                out["country_code"] = payload[.countryCode]
            }
            out["bank_code"] = payload[.bankCode]
            out["branch_code"] = payload[.branchCode]
            out["account_number"] = payload[.accountNumber]
            out["check_digit"] = payload[.checkDigit]
            out["account_holder_name"] = payload[.holderName]
        }
        return out
    }

    /// The row's own columns in place (a column the vault fills takes its value), then the
    /// added columns it does not have; a value the vault lacks is absent.
    private static func append(
        row: TokenFileReader.Row, values: [String: String], added: [String],
        encoder: any RecordEncoder, to out: inout [UInt8]
    ) {
        var fields: [(name: String, value: String?)] = row.columns.map { column in
            (column.name, added.contains(column.name) ? values[column.name] ?? column.value : column.value)
        }
        let own = Set(row.columns.map(\.name))
        fields += added.filter { !own.contains($0) }.map { ($0, values[$0]) }
        encoder.appendRecord(fields, &out)
    }
}

/// Results written by concurrent workers, each to its own index.
private final class OpenedRecords: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [[String: String]?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: [String: String]) { lock.withLock { storage[index] = value } }
    var values: [[String: String]?] { lock.withLock { storage } }
}
