import Foundation

/// Turns raw batches into prepared ones on a worker: split, validate, fingerprint, seal.
///
/// One instance per worker queue; its buffers are reused for every row, so a warm worker
/// allocates little beyond the sealed bytes and the row array.
final class RowPreparer {
    private let kind: InstrumentKind
    /// Splits each record into fields, as its format does.
    private let decoder: any RecordDecoder
    private let mapping: FieldMapping
    private let validator: any InstrumentValidator
    private let crypto: VaultCrypto
    /// False for `verify`, which needs fingerprints but no ciphertext.
    private let sealing: Bool
    /// Format-preserving card tokens (SPEC §11) instead of UUIDs.
    private let formatPreserving: Bool
    private let fields: RowFields
    private let scratch = RowScratch()
    private var random: [UInt8] = []

    /// How many first rows of a file are searched for unknown keys (formats without a header).
    static let keySampleRows = 100

    init(
        kind: InstrumentKind, format: RecordFormat, delimiter: UInt8, mapping: FieldMapping,
        validator: any InstrumentValidator, crypto: VaultCrypto, sealing: Bool = true, tokenFormat: TokenFormat = .uuid
    ) {
        self.sealing = sealing
        formatPreserving = tokenFormat == .formatPreserving && kind == .card
        fields = RowFields(keptColumns: mapping.kept.count)
        self.kind = kind
        decoder = format.decoder(delimiter: delimiter)
        self.mapping = mapping
        self.validator = validator
        self.crypto = crypto
    }

    func prepare(_ raw: RawBatch, layout: ColumnLayout?) -> PreparedBatch {
        let clock = ThreadCPUClock()
        var batch = PreparedBatch(sequence: raw.sequence, inputIndex: raw.inputIndex, rows: [])
        batch.rows.reserveCapacity(raw.records.count)
        // 16 bytes of token and 12 of nonce per row (and a format-preserving token's digits), drawn at once.
        let perRow = formatPreserving ? 28 + Token.formatPreservingRandomBytes : 28
        if random.count < raw.records.count * perRow { random = [UInt8](repeating: 0, count: raw.records.count * perRow) }
        random.withUnsafeMutableBytes { SecureRandom.fill(UnsafeMutableRawBufferPointer(rebasing: $0[0..<(raw.records.count * perRow)])) }

        raw.bytes.withUnsafeBufferPointer { bytes in
            random.withUnsafeBytes { randomBytes in
                for (index, record) in raw.records.enumerated() {
                    let rowNumber = raw.firstRow + index
                    var row = PreparedRow(row: rowNumber, reference: nil, issues: [])
                    var problem = record.problem
                    fields.reset()
                    scratch.reset()
                    let recordBytes = UnsafeBufferPointer(rebasing: bytes[Int(record.start)..<Int(record.end)])
                    if problem == nil {
                        var unknown: [String]? = rowNumber <= RowPreparer.keySampleRows ? [] : nil
                        problem = decoder.fields(recordBytes, layout: layout, mapping: mapping, into: fields, unknownKeys: &unknown)
                        if let unknown, !unknown.isEmpty { batch.unknownKeys.formUnion(unknown) }
                    }
                    if let problem {
                        row.issues.append(RowIssue(.malformedRecord, nil, problem.message))
                        if !mapping.kept.isEmpty { row.kept = Array(repeating: "", count: mapping.kept.count) }
                        batch.tally.addPrepared(row)
                        batch.rows.append(row)
                        continue
                    }
                    var display = validator.validate(fields, scratch: scratch, issues: &row.issues)
                    if !mapping.kept.isEmpty {
                        // After validation: `scratch` holds the row's valid numbers, which no kept value may hold.
                        row.kept = mapping.kept.values(
                            fields, number: scratch.number, networkToken: scratch.networkToken,
                            numberName: kind == .card ? "the card number" : "the account number", issues: &row.issues)
                        if row.issues.rejects { display = nil }
                    }
                    if !row.issues.contains(where: { $0.code == .sensitiveDataInField && $0.property == Field.reference.name }) {
                        row.reference = fields.string(.reference)
                    }
                    guard let display else {
                        batch.tally.addPrepared(row)
                        batch.rows.append(row)
                        continue
                    }
                    let slice = UnsafeRawBufferPointer(rebasing: randomBytes[(index * perRow)..<((index + 1) * perRow)])
                    let token =
                        formatPreserving
                        ? Token.formatPreserving(card: scratch.number, random: UnsafeRawBufferPointer(rebasing: slice[28..<perRow]))
                        : Token(random: UnsafeRawBufferPointer(rebasing: slice[0..<16]))
                    do {
                        let sealed =
                            sealing
                            ? try crypto.seal(
                                scratch.payload, token: token, kind: kind,
                                nonce: UnsafeRawBufferPointer(rebasing: slice[16..<28])) : Data()
                        row.instrument = PreparedInstrument(
                            fingerprint: crypto.fingerprint(scratch.identity), candidateToken: token,
                            sealed: sealed, display: display)
                    } catch {
                        // AES-GCM sealing fails only on invalid parameters: a defect, not bad data.
                        fatalError("sealing a record failed: \(type(of: error))")
                    }
                    batch.tally.addPrepared(row)
                    batch.rows.append(row)
                }
            }
        }
        batch.tally.rowsByInput[raw.inputIndex] = batch.rows.count
        fields.reset()
        scratch.wipe()
        batch.prepareSeconds = clock.seconds
        return batch
    }
}
