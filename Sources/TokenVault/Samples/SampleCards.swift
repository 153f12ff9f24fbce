import Foundation

/// Card rows for `SampleGenerator`.
enum SampleCards {
    /// Prefix and length of a number of each brand.
    static let brands: [(prefix: String, length: Int)] = [
        ("4", 16), ("4", 13), ("51", 16), ("2221", 16), ("34", 15), ("37", 15), ("6011", 16), ("65", 16),
        ("36", 14), ("3528", 16), ("62", 16), ("62", 19), ("6759", 16), ("5018", 12), ("9", 16),
    ]

    static let holders = [
        "Ada Lovelace", "O'Brien, Mary", "Jean \"Johnny\" Dupont", "José Álvarez", "Zoë Brontë",
        "Łukasz Żółć", "Ελένη Παπαδοπούλου", "Иван Петров", "山田 太郎", "محمد علي", "Smith, John A.",
        "Chloé-Anne D'Arcy", "Nguyễn Văn An", "Søren Kierkegaard", "Müller & Söhne GmbH",
    ]

    static func make(random: inout SeededRandom) -> SampleInstrument {
        let (prefix, length) = random.pick(brands)
        var digits = prefix.utf8.map { $0 - 0x30 }
        while digits.count < length - 1 { digits.append(UInt8(random.below(10))) }
        digits.append(Luhn.checkDigit(for: digits))
        let month = 1 + random.below(12)
        let year = 30 + random.below(10)
        return SampleInstrument(
            number: String(decoding: digits.map { $0 + 0x30 }, as: UTF8.self),
            expiry: String(format2: month) + "/" + String(format2: year),
            holder: random.chance(85) ? random.pick(holders) : "")
    }

    static func row(_ card: SampleInstrument, reference: String, random: inout SeededRandom) -> SampleGenerator.SampleRow {
        var row = SampleGenerator.SampleRow()
        row.values["reference"] = reference
        var number = card.number
        var expiry = card.expiry
        if card.respelled {
            // The same card as an earlier row, written another way.
            number = grouped(number, separator: random.pick([" ", "-", "  "]))
            expiry = expiry.replacingOccurrences(of: "/", with: "")
        }
        row.values["card_number"] = number
        row.values["expiry_date"] = expiry
        if !card.holder.isEmpty { row.values["cardholder_name"] = card.holder }
        if random.chance(5) { row.values["issue_number"] = String(1 + random.below(9)) }
        if random.chance(10) { row.values["alias"] = random.pick(["Business card", "Travel", "Main card, personal"]) }
        if random.chance(20) { row.values["merchant_customer_id"] = "cus\(random.below(1_000_000))" }
        return row
    }

    static func grouped(_ number: String, separator: String) -> String {
        var out = ""
        for (i, c) in number.enumerated() {
            if i > 0 && i % 4 == 0 { out += separator }
            out.append(c)
        }
        return out
    }

    /// Every kind of invalid card row, in turn.
    static func invalidRow(index: Int, reference: String, random: inout SeededRandom) -> SampleGenerator.SampleRow {
        let card = make(random: &random)
        var row = self.row(card, reference: reference, random: &random)
        switch index % 13 {
        case 0: // Luhn
            var digits = Array(card.number)
            digits[digits.count - 1] = digits.last == "0" ? "1" : "0"
            row.values["card_number"] = String(digits)
        case 1: row.values["card_number"] = String(card.number.prefix(10))
        case 2: row.values["card_number"] = "4111-AAAA-1111-1111"
        case 3: row.values["card_number"] = nil
        case 4: row.values["expiry_date"] = "13/31"
        case 5: row.values["expiry_date"] = "06/19"
        case 6: row.values["expiry_date"] = nil
        case 7: row.values["cardholder_name"] = String(repeating: "Long Name ", count: 6)
        case 8: row.values["alias"] = "card \(card.number)"
        case 9: row.values["issue_number"] = "123"
        case 10: row.values["merchant_customer_id"] = "customer-id-far-too-long"
        case 11: // several problems at once
            row.values["card_number"] = String(card.number.dropLast()) + "x"
            row.values["expiry_date"] = "1/2"
            row.values["cardholder_name"] = "A"
        default: // a row that cannot be read
            row.unreadable = [
                ("reference", reference), ("card_number", "4111 1111 1111 1111"), ("expiry_date", "12/30"),
                ("cardholder_name", "Broken Quote"),
            ]
        }
        return row
    }
}

extension String {
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }
}
