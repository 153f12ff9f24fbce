/// A card row has two numbers no free-text field may hold: the card number and its network
/// token (SPEC §11 holds the token to the card number's no-leak rule). Both are checked with
/// `FreeText.contains`, the same scan as for the card number alone.
extension FreeText {
    /// Which of the row's own numbers a value holds.
    enum OwnNumber {
        case cardNumber, networkToken

        var name: String { self == .cardNumber ? "the card number" : "the network token" }
    }

    /// The first of `card` and `networkToken` (ASCII digits; empty when absent or invalid) that
    /// `value` holds, or nil.
    static func ownNumber(in value: ArraySlice<UInt8>, card: [UInt8], networkToken: [UInt8]) -> OwnNumber? {
        if contains(value, number: card) { return .cardNumber }
        if contains(value, number: networkToken) { return .networkToken }
        return nil
    }
}
