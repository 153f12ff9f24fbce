/// Business Identifier Codes (ISO 9362): `AAAA BB CC (DDD)` — bank, country, location, branch.
public enum BIC {
    public enum Problem: Equatable, Sendable {
        case length
        case format
        case unknownCountry
    }

    /// Checks a BIC (spaces removed, upper-cased); returns its country or the problem.
    public static func check(_ text: [UInt8]) -> Result<String, Problem> {
        guard text.count == 8 || text.count == 11 else { return .failure(.length) }
        func letter(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }
        func alphanumeric(_ c: UInt8) -> Bool { letter(c) || (c >= 0x30 && c <= 0x39) }
        guard text[0..<4].allSatisfy(letter), text[4..<6].allSatisfy(letter), text[6...].allSatisfy(alphanumeric) else {
            return .failure(.format)
        }
        let country = String(decoding: text[4..<6], as: UTF8.self)
        guard CountryCodes.isKnown(country) else { return .failure(.unknownCountry) }
        return .success(country)
    }
}
extension BIC.Problem: Error {}
