/// An input field of SPEC §3, for cards and bank accounts.
///
/// Header names and JSON keys match a field case-insensitively, ignoring `-`, `_` and spaces,
/// so `Card Number`, `card-number` and `card_number` are one field.
public enum Field: Int, Sendable, CaseIterable {
    case reference
    // Cards.
    case cardNumber, expiryDate, expiryMonth, expiryYear, cardholderName, issueNumber, alias
    case merchantCustomerID, cvv, cvc, cvv2, securityCode
    // Network tokens and scheme references, on card rows (SPEC §11).
    case networkToken, networkTokenExpiry, tokenRequestorID, paymentAccountReference, networkTransactionID
    // Bank accounts.
    case iban, bic, accountHolderName, countryCode, accountNumber, bankCode, branchCode, checkDigit
    case mandateReference, mandateSignatureDate, mandateSignaturePlace, recurring, authorisationID

    /// The canonical snake_case name, used as `property_name` in error records.
    public var name: String {
        switch self {
        case .reference: "reference"
        case .cardNumber: "card_number"
        case .expiryDate: "expiry_date"
        case .expiryMonth: "expiry_month"
        case .expiryYear: "expiry_year"
        case .cardholderName: "cardholder_name"
        case .issueNumber: "issue_number"
        case .alias: "alias"
        case .merchantCustomerID: "merchant_customer_id"
        case .cvv: "cvv"
        case .cvc: "cvc"
        case .cvv2: "cvv2"
        case .securityCode: "security_code"
        case .networkToken: "network_token"
        case .networkTokenExpiry: "network_token_expiry"
        case .tokenRequestorID: "token_requestor_id"
        case .paymentAccountReference: "payment_account_reference"
        case .networkTransactionID: "network_transaction_id"
        case .iban: "iban"
        case .bic: "bic"
        case .accountHolderName: "account_holder_name"
        case .countryCode: "country_code"
        case .accountNumber: "account_number"
        case .bankCode: "bank_code"
        case .branchCode: "branch_code"
        case .checkDigit: "check_digit"
        case .mandateReference: "mandate_reference"
        case .mandateSignatureDate: "mandate_signature_date"
        case .mandateSignaturePlace: "mandate_signature_place"
        case .recurring: "recurring"
        case .authorisationID: "authorisation_id"
        }
    }

    /// The security-code fields: read only to warn, never kept.
    public static let securityCodes: [Field] = [.cvv, .cvc, .cvv2, .securityCode]

    /// The fields a kind reads; any other column is ignored with one warning.
    public static func fields(for kind: InstrumentKind) -> [Field] {
        switch kind {
        case .card:
            [
                .reference, .cardNumber, .expiryDate, .expiryMonth, .expiryYear, .cardholderName,
                .issueNumber, .alias, .merchantCustomerID, .cvv, .cvc, .cvv2, .securityCode,
                .networkToken, .networkTokenExpiry, .tokenRequestorID, .paymentAccountReference, .networkTransactionID,
            ]
        case .bankAccount:
            [
                .reference, .iban, .bic, .accountHolderName, .countryCode, .accountNumber, .bankCode,
                .branchCode, .checkDigit, .mandateReference, .mandateSignatureDate,
                .mandateSignaturePlace, .recurring, .authorisationID,
            ]
        }
    }

    /// Finds the field of `kind` named `name` (in any spelling the header rule accepts).
    public static func named(_ name: String, kind: InstrumentKind) -> Field? {
        let key = normalizedName(name)
        return fields(for: kind).first { normalizedName($0.name) == key }
    }

    /// Lower-cases and drops `-`, `_` and spaces: the header-matching rule of SPEC §3.
    public static func normalizedName(_ name: some StringProtocol) -> String {
        String(decoding: normalizedBytes(Array(name.utf8)[...]), as: UTF8.self)
    }

    static func normalizedBytes(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.compactMap(normalizedByte)
    }

    /// The header rule for one byte: nil for `-`, `_` and space, else the byte lower-cased.
    @inline(__always) static func normalizedByte(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: " "): nil
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte | 0x20
        default: byte
        }
    }
}
