/// Rows of a migration export (`sample --layout migration`): what another provider hands over
/// when cards move, with its own ids and network tokens (SPEC §11).
///
/// Columns: the old provider's card id (`card_…`, 29 characters) and customer id (`cus_…`,
/// 18 characters: longer than `merchant_customer_id`'s 15, so they travel as kept columns), the
/// card in provider-export names, and a network token with its expiry, token requestor id and
/// payment account reference on about a third of the rows.
enum SampleMigration {
    static let columns = [
        "card_id", "customer_id", "PAN", "EXP_MONTH", "EXP_YEAR", "NAME_ON_CARD",
        "network_token", "network_token_expiry", "token_requestor_id", "payment_account_reference",
    ]

    /// A standard row rewritten as the export writes it.
    static func row(_ values: [String: String], random: inout SeededRandom) -> [String: String] {
        var out = SampleGenerator.providerExport(values)
        out["CUSTOMER_ID"] = nil
        out["card_id"] = "card_" + characters(24, from: alphanumerics, random: &random)
        out["customer_id"] = "cus_" + characters(14, from: alphanumerics, random: &random)
        if random.chance(33), let expiry = values["expiry_date"], expiry.count >= 4 {
            var digits = [UInt8(4), 8, 9, 5] + (0..<11).map { _ in UInt8(random.below(10)) }
            digits.append(Luhn.checkDigit(for: digits))
            out["network_token"] = String(decoding: digits.map { $0 + 0x30 }, as: UTF8.self)
            out["network_token_expiry"] = expiry
            out["token_requestor_id"] = "400" + characters(8, from: "0123456789", random: &random)
            out["payment_account_reference"] = "V001" + characters(25, from: upperAlphanumerics, random: &random)
        }
        return out
    }

    private static let alphanumerics = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    private static let upperAlphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

    private static func characters(_ count: Int, from alphabet: String, random: inout SeededRandom) -> String {
        let letters = Array(alphabet)
        return String((0..<count).map { _ in random.pick(letters) })
    }
}
