import Foundation

/// Everything one `tokenize` run needs to know, from the command line or a job file.
public struct TokenizeRequest: Sendable {
    public var kind: InstrumentKind
    /// Input paths in order; `-` is standard input.
    public var inputs: [String]
    /// The input format; nil infers it from each file name (`-` is CSV).
    public var format: RecordFormat?
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// `--map FIELD=COLUMN` pairs.
    public var columnMap: [ColumnMapping] = []
    public var allowExpired = false
    /// Above this share of rejected rows the run fails (exit 65).
    public var maxRejectRate: Double?
    /// Each input must have at least this many data rows (`--min-rows`, job `min_rows`), else 65.
    public var minRows: Int?
    /// Worker queues for parsing, validation and crypto.
    public var concurrency: Int
    public var outputDirectory: String
    public var outputFormat: RecordFormat = .csv
    public var jobID: String
    /// "Now", for expiry checks and timestamps.
    public var now: Date
    /// Records per batch handed to a worker.
    public var batchSize = 4096
    /// Rows per vault transaction.
    public var commitEvery = 250_000
    /// OpenPGP inputs (keys, a required signature) and encrypted outputs (SPEC §11).
    public var openPGP = OpenPGPSettings()
    /// The inputs' content hashes and sizes when known before the run (jobs hash first); else
    /// the run hashes its files before it starts. Recorded at the start, so that a crashed run
    /// can be recognised and resumed, and a reused job id matched to its inputs.
    public var knownInputs: [InputDigest]?
    /// Look every instrument up and predict new/existing without writing the vault (SPEC §11).
    public var dryRun = false
    /// The data rows the inputs must hold together; otherwise the run fails (65) before it
    /// commits anything (SPEC §11). Counted in a pre-pass, so standard input is refused.
    public var expectRows: Int?
    /// Input columns copied into the results after the standard columns (SPEC §11).
    public var keepColumns: [String] = []
    /// What to do with an instrument the vault already holds (SPEC §10).
    public var onExisting: ExistingPolicy = .keep

    public init(kind: InstrumentKind, inputs: [String], concurrency: Int, outputDirectory: String, jobID: String, now: Date) {
        self.kind = kind
        self.inputs = inputs
        self.concurrency = concurrency
        self.outputDirectory = outputDirectory
        self.jobID = jobID
        self.now = now
    }

    /// Checks what can be checked without the vault: the job id, the column mapping, that every
    /// input exists and that its format is known. Commands call it before opening the vault, so a
    /// refused command leaves nothing behind.
    ///
    /// - Returns: each input's format.
    /// - Throws: `usage` or `inputMissing`.
    @discardableResult
    public func validate() throws -> [RecordFormat] {
        try Self.validateJobID(jobID)
        _ = try mapping()
        guard !inputs.isEmpty else { throw TokenVaultError(.usage, "no input file given") }
        guard inputs.filter({ $0 == "-" }).count <= 1 else {
            throw TokenVaultError(.usage, "standard input (-) can be read only once")
        }
        if let expectRows {
            guard expectRows >= 0 else { throw TokenVaultError(.usage, "--expect-rows must be 0 or more") }
            // Counting first means reading twice; standard input can be read once, and keeping
            // it in a temporary file would put card numbers on disk in clear.
            guard !inputs.contains("-") else {
                throw TokenVaultError(.usage, "--expect-rows cannot count standard input before the run: give a file")
            }
        }
        return try inputs.map { path in
            if path != "-" {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
                    throw TokenVaultError(.inputMissing, "input file \(path) does not exist")
                }
            }
            if let format { return format }
            if path == "-" { return .csv }
            guard let format = RecordFormat.inferred(fromPath: path) else {
                throw TokenVaultError(
                    .usage, "cannot tell the format of \(path) from its name: give --format \(RecordFormat.namesForMessages)")
            }
            return format
        }
    }

    /// The column mapping: `--map` overrides and `--keep-column` names, checked.
    ///
    /// - Throws: `usage` naming the field or column.
    public func mapping() throws -> FieldMapping {
        try FieldMapping(
            kind: kind, overrides: columnMap.map { ($0.field, $0.column) },
            kept: KeptColumns(keepColumns, kind: kind, mapped: columnMap))
    }

    /// The default job id, unique per run (SPEC §10): `<kind>-<UTC yyyyMMdd'T'HHmmss.SSS'Z'>-<6 random hex>`,
    /// so two runs started in the same millisecond still differ.
    public static func defaultJobID(kind: InstrumentKind, now: Date) -> String {
        "\(kind.rawValue)-\(Timestamp.compactMilliseconds(now))-\(SecureRandom.bytes(3).hexString)"
    }

    /// Job ids name output files: letters, digits, `.`, `_` and `-` only.
    public static func validateJobID(_ id: String) throws {
        let allowed = id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
        }
        guard !id.isEmpty, id.count <= 128, allowed, !id.hasPrefix(".") else {
            throw TokenVaultError(.usage, "job id '\(id)' must be 1–128 letters, digits, '.', '_' or '-' (not starting with '.')")
        }
    }
}

/// One `--map FIELD=COLUMN`.
public struct ColumnMapping: Sendable, Equatable {
    public var field: String
    public var column: String

    public init(field: String, column: String) {
        self.field = field
        self.column = column
    }

    /// Parses `FIELD=COLUMN`.
    public init(parsing text: String) throws {
        guard let eq = text.firstIndex(of: "="), eq != text.startIndex, text.index(after: eq) != text.endIndex else {
            throw TokenVaultError(.usage, "--map takes FIELD=COLUMN, got '\(text)'")
        }
        field = String(text[..<eq])
        column = String(text[text.index(after: eq)...])
    }
}

/// What a run produced.
public struct TokenizeOutcome: Sendable {
    public var report: ReconciliationReport
    public var resultsPath: String
    public var errorsPath: String
    public var reportPath: String
    public var timings: StageTimings
    /// Why the run failed, when it did; the report says `failed` and the results stay `.part`.
    public var failure: TokenVaultError?
    /// Input columns or keys that feed no field.
    public var unknownColumns: [String]
    /// True when the job id had already completed over the same inputs: nothing ran, the
    /// outputs of that run are untouched (SPEC §10) and `report` is its report.
    public var alreadyCompleted = false
}

/// Receives progress while a run goes on (the CLI draws a line on stderr).
public protocol ProgressObserver: Sendable {
    func update(rows: Int, elapsedSeconds: Double)
    func finish()
}
