import Foundation

/// Writes reproducible sample files: the README's samples, the benchmark input and test data.
///
/// The same kind, format, rows and seed always give the same bytes. Rows cover every brand or
/// country, repeats written differently, every kind of invalid row, security codes, and names
/// with commas, quotes and non-Latin letters. Expiries are fixed years (2030–2039 valid,
/// 2015–2022 expired), so outcomes do not drift with the calendar.
public struct SampleGenerator {
    public var kind: InstrumentKind
    public var format: RecordFormat
    public var rows: Int
    public var seed: UInt64
    /// Share of rows that repeat an earlier instrument, in percent.
    public var repeatPercent = 5.0
    /// Share of rows that are invalid, in percent.
    public var invalidPercent = 2.0
    /// Share of card rows with a security code, in percent.
    public var securityCodePercent = 3.0
    /// Column names: this tool's, or a card provider's export (for `--map` and job `columns`).
    public var layout: SampleLayout = .standard

    public init(kind: InstrumentKind, format: RecordFormat, rows: Int, seed: UInt64) {
        self.kind = kind
        self.format = format
        self.rows = rows
        self.seed = seed
    }

    /// Writes the sample, gzip-compressed, to `path` (a multi-member gzip, as large exports often are).
    public func write(to path: String) throws {
        if path == "-" {
            try write { FileHandle.standardOutput.write(Data($0)) }
            return
        }
        let file = try OutputFile(path: path)
        try write(file.write)
        try file.complete()
    }

    /// Writes the sample's gzip members to `sink`, in order.
    private func write(_ sink: ([UInt8]) throws -> Void) throws {
        var random = SeededRandom(seed: seed)
        var recent: [SampleInstrument] = []
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20)
        let columns = layout.columns(for: kind)
        let encoder = format.encoder()
        chunk.append(contentsOf: encoder.header(columns))
        for index in 0..<rows {
            var values = makeRow(index: index, random: &random, recent: &recent)
            values.values = layout.rewrite(values.values, random: &random)
            if let unreadable = values.unreadable {
                encoder.appendUnreadableRecord(unreadable, &chunk)
            } else {
                encoder.appendRecord(columns.map { ($0, values.values[$0]) }, &chunk)
            }
            if chunk.count >= 1 << 20 {
                try sink(GzipMember.compress(chunk, level: 6))
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty || rows == 0 { try sink(GzipMember.compress(chunk, level: 6)) }
    }

    static let cardColumns = [
        "reference", "card_number", "expiry_date", "cardholder_name", "issue_number",
        "alias", "merchant_customer_id", "cvv",
    ]
    static let providerExportColumns = ["PAN", "EXP_MONTH", "EXP_YEAR", "CUSTOMER_ID", "NAME_ON_CARD"]

    /// A card row as a provider's export writes it: expiry split, 4-digit year, other names.
    static func providerExport(_ values: [String: String]) -> [String: String] {
        var out: [String: String] = [:]
        out["PAN"] = values["card_number"]
        if let expiry = values["expiry_date"] {
            let digits = expiry.filter(\.isNumber)
            out["EXP_MONTH"] = String(digits.prefix(2))
            out["EXP_YEAR"] = digits.count == 4 ? "20" + String(digits.suffix(2)) : String(digits.dropFirst(2))
        }
        out["CUSTOMER_ID"] = values["merchant_customer_id"]
        out["NAME_ON_CARD"] = values["cardholder_name"]
        return out
    }

    static let bankColumns = [
        "reference", "iban", "bic", "account_holder_name", "country_code", "bank_code",
        "branch_code", "account_number", "mandate_reference", "mandate_signature_date",
        "mandate_signature_place", "recurring", "authorisation_id",
    ]

    /// A row: column → value; a missing key is an absent value. `unreadable` replaces the row
    /// by a record that cannot be read, written from these fields.
    struct SampleRow {
        var values: [String: String] = [:]
        var unreadable: [(name: String, value: String)]?
    }

    private func makeRow(index: Int, random: inout SeededRandom, recent: inout [SampleInstrument]) -> SampleRow {
        let reference = "ref-\(seed)-\(index + 1)"
        if random.chance(invalidPercent) {
            return kind == .card
                ? SampleCards.invalidRow(index: index, reference: reference, random: &random)
                : SampleBankAccounts.invalidRow(index: index, reference: reference, random: &random)
        }
        var instrument: SampleInstrument
        if !recent.isEmpty && random.chance(repeatPercent) {
            instrument = random.pick(recent)
            instrument.respelled = true
        } else {
            instrument = kind == .card ? SampleCards.make(random: &random) : SampleBankAccounts.make(random: &random)
            if recent.count < 10_000 { recent.append(instrument) } else { recent[random.below(recent.count)] = instrument }
        }
        var row =
            kind == .card
            ? SampleCards.row(instrument, reference: reference, random: &random)
            : SampleBankAccounts.row(instrument, reference: reference, random: &random)
        if kind == .card && random.chance(securityCodePercent) {
            row.values["cvv"] = String(100 + random.below(900))
        }
        return row
    }
}

/// The column names a sample file uses.
public enum SampleLayout: String, Sendable, CaseIterable {
    case standard
    /// A card provider's export: `PAN, EXP_MONTH, EXP_YEAR, CUSTOMER_ID, NAME_ON_CARD`.
    case providerExport = "provider-export"
    /// A migration export (`SampleMigration`): the provider-export columns with the old
    /// provider's card and customer ids and network tokens.
    case migration
}

extension SampleLayout {
    /// The columns a file of this layout has, in order.
    func columns(for kind: InstrumentKind) -> [String] {
        switch self {
        case .providerExport: SampleGenerator.providerExportColumns
        case .migration: SampleMigration.columns
        case .standard: kind == .card ? SampleGenerator.cardColumns : SampleGenerator.bankColumns
        }
    }

    /// A standard row as this layout writes it.
    func rewrite(_ values: [String: String], random: inout SeededRandom) -> [String: String] {
        switch self {
        case .providerExport: SampleGenerator.providerExport(values)
        case .migration: SampleMigration.row(values, random: &random)
        case .standard: values
        }
    }
}

/// An instrument the generator made, kept so that it can repeat.
struct SampleInstrument {
    var number: String
    var expiry: String = ""
    var holder: String
    var country: String = ""
    var bankCode: String = ""
    var bic: String = ""
    /// Set when the instrument repeats: the generator writes it differently.
    var respelled = false
}
