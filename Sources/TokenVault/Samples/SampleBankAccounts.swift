import Foundation

/// Bank-account rows for `SampleGenerator`: IBANs of every registry country, GB sort code and
/// US ACH accounts, mandates, repeats written differently, and every kind of invalid row.
enum SampleBankAccounts {
    static let holders = [
        "Ada Lovelace", "O'Brien, Mary", "Jean \"Johnny\" Dupont", "José Álvarez", "Zoë Brontë", "Łukasz Żółć",
        "Ελένη Παπαδοπούλου", "Иван Петров", "山田 太郎", "Müller & Söhne GmbH", "ACME Widgets Ltd", "Nguyễn Văn An",
    ]
    static let places = ["Berlin", "Paris", "Madrid", "Amsterdam", "Milano", "Lisboa", "Wien", "Dublin", "Bruxelles"]
    /// Routing numbers with valid ABA check digits (Federal Reserve and large banks' published numbers).
    static let routingNumbers = ["011000015", "021000021", "026009593", "121000248", "111000025", "122105155", "091000019", "011401533"]

    static func make(random: inout SeededRandom) -> SampleInstrument {
        let holder = random.pick(holders)
        switch random.below(100) {
        case 0..<70:
            let country = random.pick(IBANRegistry.countries)
            var account = SampleInstrument(number: country.exampleIBAN(seed: random.below(1_000_000)), holder: holder)
            account.country = country.code
            if random.chance(50) { account.bic = "BANK" + country.code + "2L" + (random.chance(50) ? "XXX" : "") }
            return account
        case 70..<85:
            let digits = (0..<8).map { _ in String(random.below(10)) }.joined()
            var account = SampleInstrument(number: digits, holder: holder)
            account.country = "GB"
            account.bankCode = (0..<6).map { _ in String(random.below(10)) }.joined()
            return account
        default:
            let digits = (0..<(4 + random.below(14))).map { _ in String(random.below(10)) }.joined()
            var account = SampleInstrument(number: digits, holder: holder)
            account.country = "US"
            account.bankCode = random.pick(routingNumbers)
            return account
        }
    }

    static func row(_ account: SampleInstrument, reference: String, random: inout SeededRandom) -> SampleGenerator.SampleRow {
        var row = SampleGenerator.SampleRow()
        row.values["reference"] = reference
        row.values["account_holder_name"] = account.holder
        let isIBAN = account.bankCode.isEmpty
        if isIBAN {
            var iban = account.number
            if account.respelled {
                // The same account as an earlier row, written as people write IBANs.
                iban = SampleCards.grouped(iban, separator: " ")
                if random.chance(50) { iban = iban.lowercased() }
            }
            row.values["iban"] = iban
            if !account.bic.isEmpty { row.values["bic"] = account.bic }
            if IBANRegistry.country(account.country)?.sepa == true && random.chance(60) {
                row.values["mandate_reference"] = "MNDT-\(random.below(1_000_000))"
                row.values["mandate_signature_date"] =
                    String(2019 + random.below(6)) + String(format2: 1 + random.below(12)) + String(format2: 1 + random.below(28))
                row.values["mandate_signature_place"] = random.pick(places)
                row.values["recurring"] = random.chance(70) ? "true" : "false"
            }
        } else {
            row.values["country_code"] = account.country
            var bank = account.bankCode
            var number = account.number
            if account.respelled && account.country == "GB" {
                bank = String(bank.prefix(2)) + "-" + String(bank.dropFirst(2).prefix(2)) + "-" + String(bank.suffix(2))
                while number.hasPrefix("0") && number.count > 6 { number.removeFirst() }
            }
            row.values["bank_code"] = bank
            row.values["account_number"] = number
            if account.country == "GB" && random.chance(50) { row.values["authorisation_id"] = "AUTH\(random.below(100_000))" }
        }
        return row
    }

    /// Every kind of invalid bank-account row, in turn.
    static func invalidRow(index: Int, reference: String, random: inout SeededRandom) -> SampleGenerator.SampleRow {
        let de = IBANRegistry.country("DE")!
        var account = SampleInstrument(number: de.exampleIBAN(seed: random.below(1_000_000)), holder: random.pick(holders))
        account.country = "DE"
        var row = self.row(account, reference: reference, random: &random)
        let iban = account.number
        switch index % 14 {
        case 0: // one character changed: the checksum fails
            var chars = Array(iban)
            chars[10] = chars[10] == "1" ? "2" : "1"
            row.values["iban"] = String(chars)
        case 1: row.values["iban"] = iban + "0"
        case 2: // a letter where DE wants a digit, check digits recomputed
            let bban = String(iban.dropFirst(4).prefix(5)) + "X" + String(iban.dropFirst(10))
            row.values["iban"] = "DE" + IBANRegistry.checkDigits(country: "DE", bban: bban) + bban
        case 3: row.values["iban"] = "ZZ" + String(iban.dropFirst(2))
        case 4: row.values["bic"] = "DEUTFRFFXXX"
        case 5: row.values["bic"] = "DE12"
        case 6:
            row.values = [
                "reference": reference, "account_holder_name": account.holder, "country_code": "GB",
                "bank_code": "60161", "account_number": "31926819",
            ]
        case 7:
            row.values = [
                "reference": reference, "account_holder_name": account.holder, "country_code": "US",
                "bank_code": "021000022", "account_number": "123456789",
            ]
        case 8: row.values["account_holder_name"] = nil
        case 9: row.values["mandate_signature_date"] = random.chance(50) ? "20991231" : "20230230"
        case 10: row.values["recurring"] = "maybe"
        case 11: row.values["account_holder_name"] = "Holder " + iban
        case 12: // several problems at once
            row.values["iban"] = "DE00 0000"
            row.values["account_holder_name"] = "A"
            row.values["bic"] = "1234"
        default: // a row that cannot be read
            row.unreadable = [
                ("reference", reference), ("iban", "DE89 3704 0044 0532 0130 00"), ("bic", ""),
                ("account_holder_name", "Broken Quote"),
            ]
        }
        return row
    }
}
