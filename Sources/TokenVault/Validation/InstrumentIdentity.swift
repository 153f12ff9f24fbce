/// The bytes an instrument's dedup fingerprint is computed over, domain-separated by kind.
///
/// One place for them: validation builds them from input rows, fingerprint-key rotation from
/// the sealed payloads, and the two must agree byte for byte.
enum InstrumentIdentity {
    /// `card:<digits>`.
    static func card(number: some Collection<UInt8>, into out: inout [UInt8]) {
        out.append(contentsOf: "card:".utf8)
        out.append(contentsOf: number)
    }

    /// `iban:<IBAN>`, normalised (no spaces, upper case).
    static func iban(_ iban: some Collection<UInt8>, into out: inout [UInt8]) {
        out.append(contentsOf: "iban:".utf8)
        out.append(contentsOf: iban)
    }

    /// `acct:<country>:<bank>:<branch>:<account>`, normalised (GB accounts padded to 8 digits).
    static func domestic(
        country: String, bank: some Collection<UInt8>, branch: some Collection<UInt8>,
        account: some Collection<UInt8>, into out: inout [UInt8]
    ) {
        out.append(contentsOf: "acct:\(country):".utf8)
        out.append(contentsOf: bank)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: branch)
        out.append(UInt8(ascii: ":"))
        out.append(contentsOf: account)
    }

    /// The identity of a sealed record, from its decoded payload.
    static func fromPayload(_ fields: [SealedPayload.Tag: String], kind: InstrumentKind) -> [UInt8]? {
        var out: [UInt8] = []
        switch kind {
        case .card:
            guard let number = fields[.cardNumber] else { return nil }
            card(number: number.utf8, into: &out)
        case .bankAccount:
            if let value = fields[.iban] {
                iban(value.utf8, into: &out)
            } else {
                guard let country = fields[.countryCode], let bank = fields[.bankCode], let account = fields[.accountNumber] else {
                    return nil
                }
                domestic(country: country, bank: bank.utf8, branch: (fields[.branchCode] ?? "").utf8, account: account.utf8, into: &out)
            }
        }
        return out
    }
}
