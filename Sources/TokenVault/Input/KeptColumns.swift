/// Input columns copied into the results after the standard columns (`--keep-column`, SPEC
/// §11): the old provider's card, customer and subscription ids, which make the results file the
/// old-id → token mapping a migration hands back.
///
/// Names match columns and JSON keys by the header rule (case, `-`, `_` and spaces ignored) and
/// appear in the results as given. Values are checked like `reference`: at most 64 characters,
/// and a value holding the row's card number, network token or account number is
/// `SENSITIVE_DATA_IN_FIELD` and is not echoed.
public struct KeptColumns: Sendable {
    /// The names as given, in order: the result columns' names.
    public let names: [String]
    /// The names under the header rule.
    private let keys: [[UInt8]]

    public static let none = KeptColumns(checked: [])

    /// Result columns a kept column would shadow.
    static let reservedNames: Set<String> = Set(
        [
            "file", "row", "reference", "status", "token", "is_new_token", "alias", "brand", "last4", "expiry",
            "has_network_token", "updated", "country", "bank_code",
        ].map { Field.normalizedName($0) })

    private init(checked names: [String]) {
        self.names = names
        keys = names.map { Field.normalizedBytes(Array($0.utf8)[...]) }
    }

    /// Checks the names: each non-empty, none a field of `kind` or a column `mapped` reads
    /// (those are read as fields, and a field holding the number must not be echoed), none a
    /// result column, none twice.
    ///
    /// - Throws: `usage` naming the column.
    public init(_ names: [String], kind: InstrumentKind, mapped: [ColumnMapping] = []) throws {
        var seen = Set<String>()
        let mappedColumns = Set(mapped.map { Field.normalizedName($0.column) })
        for name in names {
            let key = Field.normalizedName(name)
            guard !key.isEmpty, name.utf8.count <= 128, !name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
                throw TokenVaultError(.usage, "--keep-column takes a column name of 1–128 printable characters")
            }
            if Field.named(name, kind: kind) != nil || mappedColumns.contains(key) {
                throw TokenVaultError(
                    .usage, "--keep-column \(name): the column is read as a \(kind.rawValue) field, and fields are not echoed")
            }
            if Self.reservedNames.contains(key) {
                throw TokenVaultError(.usage, "--keep-column \(name): the results already have a column of that name")
            }
            guard seen.insert(key).inserted else { throw TokenVaultError(.usage, "--keep-column \(name) is given twice") }
        }
        self.init(checked: names)
    }

    public var isEmpty: Bool { names.isEmpty }
    var count: Int { names.count }

    /// The kept column a header name or JSON key (in any spelling the header rule accepts) feeds.
    func index(forName name: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !keys.isEmpty else { return nil }
        outer: for (index, key) in keys.enumerated() {
            var k = 0
            for byte in name {
                guard let lower = Field.normalizedByte(byte) else { continue }
                guard k < key.count, key[k] == lower else { continue outer }
                k += 1
            }
            if k == key.count { return index }
        }
        return nil
    }

    /// The row's kept values, checked; a value is empty when absent or withheld.
    ///
    /// - Parameters:
    ///   - number: the row's valid card or account number (empty when it has none).
    ///   - networkToken: the row's valid network token (empty when it has none).
    ///   - numberName: what `number` is, for the message ("the card number").
    func values(_ fields: RowFields, number: [UInt8], networkToken: [UInt8], numberName: String, issues: inout [RowIssue]) -> [String] {
        names.indices.map { index in
            guard let value = fields.bytes(slot: RowFields.keptSlot(index)) else { return "" }
            let name = names[index]
            if !FreeText.lengthIsWithin(value, max: 64) {
                issues.append(RowIssue(.invalidLength, property: name, "\(name) must be at most 64 characters"))
            }
            if let own = FreeText.ownNumber(in: value, card: number, networkToken: networkToken) {
                let what = own == .networkToken ? own.name : numberName
                issues.append(RowIssue(.sensitiveDataInField, property: name, "\(name) must not contain \(what)"))
                return ""
            }
            return String(decoding: value, as: UTF8.self)
        }
    }
}
