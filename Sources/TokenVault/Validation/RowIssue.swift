/// One problem found in one row: a line of the error file.
///
/// The message names the field and the rule, never the value: error files travel further than
/// the vault does.
public struct RowIssue: Sendable, Equatable {
    public var severity: Severity
    public var code: ErrorCode
    /// The input field, by its canonical name (`card_number`), or empty for the whole row.
    public var property: String
    public var message: String

    public init(_ code: ErrorCode, _ field: Field?, _ message: String, severity: Severity = .error) {
        self.severity = severity
        self.code = code
        self.property = field?.name ?? ""
        self.message = message
    }

    /// An issue of a column that is not a field (a kept column), named as given.
    public init(_ code: ErrorCode, property: String, _ message: String, severity: Severity = .error) {
        self.severity = severity
        self.code = code
        self.property = property
        self.message = message
    }
}

extension [RowIssue] {
    /// True when any issue rejects the row.
    var rejects: Bool { contains { $0.severity == .error } }
}
