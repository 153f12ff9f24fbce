/// What an input file holds.
public enum InstrumentKind: String, Sendable, CaseIterable, Codable {
    case card
    case bankAccount = "bank-account"

    /// The number stored in the vault's `kind` column; stable across releases.
    package var storedValue: Int {
        switch self {
        case .card: 1
        case .bankAccount: 2
        }
    }

    /// The kind a stored `kind` value names.
    package init(storedValue: Int) {
        self = storedValue == 1 ? .card : .bankAccount
    }
}
