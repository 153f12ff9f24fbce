/// Which national check applies to which country's IBANs: the one table (SPEC §11).
///
/// Algorithms as python-stdnum implements them (`be/iban.py`, `cz/bankaccount.py`,
/// `es/ccc.py`, `me/iban.py`, `no/kontonr.py`, `is_/kennitala.py`) and, for the countries
/// stdnum leaves out, as schwifty does (`schwifty/checksum/*.py`); both were used as oracles
/// for the test vectors in `NationalCheckDigitsTests`.
enum NationalCheckDigits {
    /// The check of a country, or nil when its BBAN carries none this tool verifies.
    static func check(for country: String) -> (any NationalCheck)? { table[country] }

    /// Country → check. Positions are in the BBAN (the IBAN without its first 4 characters).
    static let table: [String: any NationalCheck] = [
        // Belgium: the last 2 digits are the first 10 mod 97 (0 → 97).
        "BE": Mod97NationalCheck(.belgian, payload: 0..<10, check: 10..<12),
        // Czechia, Slovakia: prefix and account number each weigh to 0 mod 11.
        "CZ": WeightedSumCheck.czechSlovak,
        "SK": WeightedSumCheck.czechSlovak,
        // Estonia: 7-3-1 from the right over the account number, mod 10.
        "EE": WeightedSumCheck(groups: [
            .init(2..<16, weights: WeightedSumCheck.repeating([7, 3, 1], fromTheRightOver: 13) + [1], modulus: 10)
        ]),
        // Finland: Luhn over the whole BBAN.
        "FI": LuhnNationalCheck(),
        // France, Monaco: the RIB key.
        "FR": RIBKeyCheck(),
        "MC": RIBKeyCheck(),
        // Iceland: the check digit of the holder's kennitala (BBAN 12–21), mod 11.
        "IS": WeightedSumCheck(groups: [.init(12..<21, weights: [3, 2, 7, 6, 5, 4, 3, 2, 1], modulus: 11)]),
        // Italy, San Marino: the CIN letter.
        "IT": ItalianCINCheck(),
        "SM": ItalianCINCheck(),
        // Norway: mod 11 over the 11-digit account number.
        "NO": WeightedSumCheck(
            groups: [.init(0..<11, weights: [5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1], modulus: 11)],
            exemptWhenZero: 4..<6),
        // Poland: the 8th digit of the sort code, weights 3-9-7-1, mod 10.
        "PL": WeightedSumCheck(groups: [.init(0..<8, weights: [3, 9, 7, 1, 3, 9, 7, 1], modulus: 10)]),
        // Spain: the two digits of the CCC.
        "ES": SpanishCCCCheck(),
        // ISO 7064 MOD 97-10 over the BBAN before its last 2 digits.
        "BA": Mod97NationalCheck(.iso7064, payload: 0..<14, check: 14..<16),
        "ME": Mod97NationalCheck(.iso7064, payload: 0..<16, check: 16..<18),
        "MK": Mod97NationalCheck(.iso7064, payload: 0..<13, check: 13..<15),
        "PT": Mod97NationalCheck(.iso7064, payload: 0..<19, check: 19..<21),
        "RS": Mod97NationalCheck(.iso7064, payload: 0..<16, check: 16..<18),
        "SI": Mod97NationalCheck(.iso7064, payload: 0..<13, check: 13..<15),
        "TL": Mod97NationalCheck(.iso7064, payload: 0..<17, check: 17..<19),
        // Mauritania, Tunisia: the same with 97 − remainder.
        "MR": Mod97NationalCheck(.complement, payload: 0..<21, check: 21..<23),
        "TN": Mod97NationalCheck(.complement, payload: 0..<18, check: 18..<20),
    ]
}
