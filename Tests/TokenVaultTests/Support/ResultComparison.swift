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

/// The card numbers of `numbers` found in `bytes`, written as plain ASCII digits.
func leakedNumbers(in bytes: [UInt8], numbers: Set<String>) -> [String] {
    guard let shortest = numbers.map(\.count).min(), let longest = numbers.map(\.count).max() else { return [] }
    var found = Set<String>()
    var runStart = -1
    for i in 0...bytes.count {
        let isDigit = i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39
        if isDigit { if runStart < 0 { runStart = i }; continue }
        if runStart >= 0 {
            let run = bytes[runStart..<i]
            if run.count >= shortest {
                for length in shortest...min(longest, run.count) {
                    for start in runStart...(i - length) {
                        let candidate = String(decoding: bytes[start..<(start + length)], as: UTF8.self)
                        if numbers.contains(candidate) { found.insert(candidate) }
                    }
                }
            }
            runStart = -1
        }
    }
    return found.sorted()
}
