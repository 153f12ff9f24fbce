/// What `detokenize` wrote for one row: the `outcome` and `error` columns of its output.
///
/// The raw values are a stable contract: scripts match on them, so they never change.
public enum DetokenizeOutcome: String, Sendable, CaseIterable {
    case detokenized = "DETOKENIZED"
    case malformedRecord = "MALFORMED_RECORD"
    case missingField = "MISSING_FIELD"
    case invalidFormat = "INVALID_FORMAT"
    case tokenNotFound = "TOKEN_NOT_FOUND"
    case tokenDeleted = "TOKEN_DELETED"
    case kindMismatch = "KIND_MISMATCH"
    case vaultRecordUnreadable = "VAULT_RECORD_UNREADABLE"

    /// The `outcome` column: `detokenized` or `error`.
    public var column: String { self == .detokenized ? "detokenized" : "error" }

    /// The `error` column's text, `CODE: why`; nil for a detokenized row.
    func errorText(kind: InstrumentKind?, problem: MalformedReason?) -> String? {
        let why: String
        switch self {
        case .detokenized: return nil
        case .malformedRecord: why = problem?.message ?? "the row cannot be read"
        case .missingField: why = "the row has no token"
        case .invalidFormat: why = "the token is not a UUID"
        case .tokenNotFound: why = "the vault has no such token"
        case .tokenDeleted: why = "the token was deleted"
        case .kindMismatch: why = "the token is not a \(kind?.rawValue ?? "token of the requested kind")"
        case .vaultRecordUnreadable: why = "the record cannot be opened"
        }
        return "\(rawValue): \(why)"
    }
}
