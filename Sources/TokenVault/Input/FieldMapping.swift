/// Which input column or JSON key feeds which field: the header rule plus `--map FIELD=COLUMN`.
public struct FieldMapping: Sendable {
    public let kind: InstrumentKind
    /// The columns copied into the results (`--keep-column`).
    public let kept: KeptColumns
    /// Normalised column name → field, overrides from `--map` applied.
    private let byName: [[UInt8]: Field]
    /// The same table keyed by a hash of the normalised name, for lookups that allocate nothing.
    private let byHash: [UInt64: ([UInt8], Field)]
    /// The normalised names for which `--map` named a column, to check the header has them.
    private let mappedColumns: [(field: Field, column: String)]

    /// - Parameter overrides: field → column name, from `--map` or a job file's `columns`.
    /// - Throws: `usage` when a field name is not a field of `kind`.
    public init(kind: InstrumentKind, overrides: [(field: String, column: String)] = [], kept: KeptColumns = .none) throws {
        self.kind = kind
        self.kept = kept
        var table: [[UInt8]: Field] = [:]
        var mapped: [(Field, String)] = []
        var overridden = Set<Int>()
        for (fieldName, column) in overrides {
            guard let field = Field.named(fieldName, kind: kind) else {
                let known = Field.fields(for: kind).map(\.name).joined(separator: ", ")
                throw TokenVaultError(.usage, "unknown field '\(fieldName)' in a column mapping for \(kind.rawValue) (known: \(known))")
            }
            overridden.insert(field.rawValue)
            table[Field.normalizedBytes(Array(column.utf8)[...])] = field
            mapped.append((field, column))
        }
        for field in Field.fields(for: kind) where !overridden.contains(field.rawValue) {
            let key = Field.normalizedBytes(Array(field.name.utf8)[...])
            if table[key] == nil { table[key] = field }
        }
        byName = table
        byHash = Dictionary(
            uniqueKeysWithValues: table.map { key, field in
                (key.withUnsafeBufferPointer { FieldMapping.normalizedHash($0) }, (key, field))
            })
        mappedColumns = mapped
    }

    /// The field a JSON key feeds, without allocating: hash the normalised bytes, then confirm.
    func field(forKey key: UnsafeBufferPointer<UInt8>) -> Field? {
        guard let (name, field) = byHash[FieldMapping.normalizedHash(key)] else { return nil }
        var k = 0
        for byte in key {
            guard let lower = Field.normalizedByte(byte) else { continue }
            guard k < name.count, name[k] == lower else { return nil }
            k += 1
        }
        return k == name.count ? field : nil
    }

    /// FNV-1a over the bytes the header rule keeps, lower-cased.
    private static func normalizedHash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            guard let lower = Field.normalizedByte(byte) else { continue }
            hash = (hash ^ UInt64(lower)) &* 0x100_0000_01b3
        }
        return hash
    }

    /// The field a column or key of this name feeds, if any.
    func field(forName name: ArraySlice<UInt8>) -> Field? {
        byName[Field.normalizedBytes(name)]
    }

    /// Resolves a CSV header into a per-column field table.
    ///
    /// - Throws: `inputData` when a mapped column is missing, two columns feed one field, or the
    ///   header lacks what every row of `kind` needs (a file that cannot be right as a whole).
    func layout(forHeader header: [String], path: String) throws -> ColumnLayout {
        var fields = [Field?](repeating: nil, count: header.count)
        var keptAt = [Int](repeating: -1, count: header.count)
        var keptSeen: [Int: String] = [:]
        var seen: [Int: String] = [:]
        var unknown: [String] = []
        for (index, name) in header.enumerated() {
            guard let field = field(forName: Array(name.utf8)[...]) else {
                if let k = Array(name.utf8).withUnsafeBufferPointer({ kept.index(forName: $0) }) {
                    if let previous = keptSeen[k] {
                        throw TokenVaultError(
                            .inputData, "\(path): columns '\(previous)' and '\(name)' are both kept column \(kept.names[k])")
                    }
                    keptSeen[k] = name
                    keptAt[index] = k
                } else if !name.isEmpty {
                    unknown.append(name)
                }
                continue
            }
            if let previous = seen[field.rawValue] {
                throw TokenVaultError(.inputData, "\(path): columns '\(previous)' and '\(name)' both feed field \(field.name)")
            }
            seen[field.rawValue] = name
            fields[index] = field
        }
        for (k, name) in kept.names.enumerated() where keptSeen[k] == nil {
            throw TokenVaultError(.inputData, "\(path): the header has no column '\(name)' (--keep-column)")
        }
        for (field, column) in mappedColumns where seen[field.rawValue] == nil {
            throw TokenVaultError(.inputData, "\(path): the header has no column '\(column)' (mapped to \(field.name))")
        }
        let present = Set(seen.keys)
        func has(_ f: Field) -> Bool { present.contains(f.rawValue) }
        switch kind {
        case .card:
            if !has(.cardNumber) {
                throw TokenVaultError(.inputData, "\(path): the header has no card_number column (use --map card_number=COLUMN)")
            }
            if !has(.expiryDate) && !(has(.expiryMonth) && has(.expiryYear)) {
                throw TokenVaultError(.inputData, "\(path): the header has no expiry_date column, nor expiry_month and expiry_year")
            }
        case .bankAccount:
            if !has(.iban) && !has(.accountNumber) {
                throw TokenVaultError(.inputData, "\(path): the header has neither an iban nor an account_number column")
            }
        }
        return ColumnLayout(fields: fields, kept: keptAt, unknownColumns: unknown)
    }
}
