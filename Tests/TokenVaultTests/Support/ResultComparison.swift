import Foundation

@testable import TokenVault

/// Result rows reduced to what must not depend on concurrency or interruption: everything but
/// the token values, plus which rows share a token (the index of the first row with it).
func tokenSharingPattern(_ rows: [[String: String]]) -> [String] {
    var firstRowOfToken: [String: Int] = [:]
    return rows.enumerated().map { index, row in
        let token = row["token"] ?? ""
        var sharing = "-"
        if !token.isEmpty {
            if firstRowOfToken[token] == nil { firstRowOfToken[token] = index }
            sharing = String(firstRowOfToken[token]!)
        }
        let fixed = ["file", "row", "reference", "status", "is_new_token", "alias", "brand", "last4", "expiry", "country", "bank_code"]
            .map { row[$0] ?? "" }.joined(separator: "|")
        return fixed + "|shares:" + sharing
    }
}

/// Every valid card number (digits only) in a card CSV or JSONL input, as written anywhere in a row.
func cardNumbers(inInput text: String) -> Set<String> {
    var numbers = Set<String>()
    var digits = ""
    for c in text.unicodeScalars {
        if c.properties.numericType != nil && c.isASCII {
            digits.unicodeScalars.append(c)
        } else if c == " " || c == "-" {
            continue
        } else {
            if (12...19).contains(digits.count), Luhn.isValid(digits.utf8.map { $0 - 0x30 }) { numbers.insert(digits) }
            digits = ""
        }
    }
    return numbers
}

/// Which of `numbers` (digits, or upper-case letters and digits such as IBANs) appear in `bytes`
/// as one unbroken run, in any letter case.
func leakedNumbers(in bytes: [UInt8], numbers: Set<String>) -> [String] {
    guard let shortest = numbers.map(\.count).min(), let longest = numbers.map(\.count).max() else { return [] }
    let upper = bytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
    var found = Set<String>()
    var runStart = -1
    for i in 0...upper.count {
        let inRun = i < upper.count && ((upper[i] >= 0x30 && upper[i] <= 0x39) || (upper[i] >= 0x41 && upper[i] <= 0x5A))
        if inRun { if runStart < 0 { runStart = i }; continue }
        if runStart >= 0 {
            let count = i - runStart
            if count >= shortest {
                for length in shortest...min(longest, count) {
                    for start in runStart...(i - length) {
                        let candidate = String(decoding: upper[start..<(start + length)], as: UTF8.self)
                        if numbers.contains(candidate) { found.insert(candidate) }
                    }
                }
            }
            runStart = -1
        }
    }
    return found.sorted()
}

/// The IBANs and account numbers (8 characters or more) of a bank-account input file.
func bankNumbers(inInput text: String, format: RecordFormat) -> Set<String> {
    var values: [String] = []
    if format == .csv {
        let rows = CSVTestParser.parse(text)
        guard let header = rows.first else { return [] }
        for row in rows.dropFirst() {
            for (name, value) in zip(header, row) where name == "iban" || name == "account_number" { values.append(value) }
        }
    } else {
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            for key in ["iban", "account_number"] { if let value = object[key] as? String { values.append(value) } }
        }
    }
    return Set(values.map { $0.uppercased().filter { $0.isLetter || $0.isNumber } }.filter { $0.count >= 8 })
}
