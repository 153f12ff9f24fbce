/// The IBAN formats of ISO 13616, as the SWIFT IBAN Registry lists them per country.
///
/// The data lives in `IBANRegistry+Data.swift`, generated from the registry by
/// `scripts/generate-iban-registry.py`; this file only reads it.
public enum IBANRegistry {
    // `countries` and `territories` are in IBANRegistry+Data.swift.
    /// The format of a country's IBANs, by its two-letter code.
    public static func country(_ code: some StringProtocol) -> IBANCountry? { byCode[String(code)] }

    private static let byCode: [String: IBANCountry] = Dictionary(uniqueKeysWithValues: countries.map { ($0.code, $0) })

    /// The country whose IBANs an account of `code` uses: itself, or the parent of a territory.
    public static func ibanCountry(for code: String) -> String { territories[code] ?? code }

    /// ISO 7064 MOD 97-10 over an IBAN (upper-case letters and digits): 1 when valid.
    public static func mod97(_ iban: [UInt8]) -> Int {
        guard iban.count > 4 else { return -1 }
        var remainder = 0
        // The country code and check digits move to the end; letters count as 10–35.
        for index in 0..<iban.count {
            let c = iban[(index + 4) % iban.count]
            switch c {
            case 0x30...0x39: remainder = (remainder * 10 + Int(c - 0x30)) % 97
            case 0x41...0x5A: remainder = (remainder * 100 + Int(c - 0x41 + 10)) % 97
            default: return -1
            }
        }
        return remainder
    }

    /// The two check digits that make `country` + `bban` a valid IBAN.
    public static func checkDigits(country: String, bban: String) -> String {
        let remainder = mod97(Array((country + "00" + bban).utf8))
        let check = 98 - remainder
        return check < 10 ? "0\(check)" : "\(check)"
    }
}

/// One country's IBAN format: its length and BBAN structure, and where the bank and branch
/// identifiers sit inside the BBAN.
public struct IBANCountry: Sendable {
    public let code: String
    /// The full IBAN length, country code and check digits included.
    public let length: Int
    /// The BBAN structure in the registry's notation (`8!n10!n`: 8 digits, then 10 digits).
    public let bban: String
    /// The bank and branch identifiers' positions in the BBAN (empty when the registry has none).
    public let bank: Range<Int>
    public let branch: Range<Int>
    /// In the SEPA scheme area.
    public let sepa: Bool
    let segments: [Segment]

    /// A run of characters of one class: `n` digits, `a` upper-case letters, `c` letters or digits.
    struct Segment: Sendable {
        let characterClass: UInt8
        let count: Int
    }

    init(code: String, length: Int, bban: String, bank: Range<Int>, branch: Range<Int>, sepa: Bool) {
        self.code = code
        self.length = length
        self.bban = bban
        self.bank = bank
        self.branch = branch
        self.sepa = sepa
        var segments: [Segment] = []
        var count = 0
        for c in bban.utf8 {
            switch c {
            case 0x30...0x39: count = count * 10 + Int(c - 0x30)
            case UInt8(ascii: "!"): break
            default:
                segments.append(Segment(characterClass: c, count: count))
                count = 0
            }
        }
        self.segments = segments
    }

    /// True when `bban` (upper case) has this country's structure, character class by position.
    public func matchesStructure(_ bban: ArraySlice<UInt8>) -> Bool {
        var i = bban.startIndex
        for segment in segments {
            guard i + segment.count <= bban.endIndex else { return false }
            for c in bban[i..<(i + segment.count)] {
                let ok: Bool =
                    switch segment.characterClass {
                    case UInt8(ascii: "n"): c >= 0x30 && c <= 0x39
                    case UInt8(ascii: "a"): c >= 0x41 && c <= 0x5A
                    default: (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A)
                    }
                if !ok { return false }
            }
            i += segment.count
        }
        return i == bban.endIndex
    }

    /// An IBAN of this country built from its structure (for samples and tests): digits and
    /// letters in order, then the check digits computed.
    public func exampleIBAN(seed: Int = 0) -> String {
        var bban = ""
        var k = seed
        for segment in segments {
            for _ in 0..<segment.count {
                switch segment.characterClass {
                case UInt8(ascii: "n"): bban.append(Character(Unicode.Scalar(UInt8(0x30 + k % 10))))
                case UInt8(ascii: "a"): bban.append(Character(Unicode.Scalar(UInt8(0x41 + k % 26))))
                default:
                    bban.append(
                        k % 3 == 0 ? Character(Unicode.Scalar(UInt8(0x41 + k % 26))) : Character(Unicode.Scalar(UInt8(0x30 + k % 10))))
                }
                k = (k &* 31 &+ 7) % 1_000_003
            }
        }
        if let national = NationalCheckDigits.check(for: code) { bban = Self.satisfying(national, bban) }
        return code + IBANRegistry.checkDigits(country: code, bban: bban) + bban
    }

    /// `bban` with its check positions set so that `check` passes: every combination of values
    /// is tried (letters where the BBAN has a letter, digits elsewhere); when none works (a
    /// mod-11 check that would need a 10), the digit before each check position changes.
    private static func satisfying(_ check: any NationalCheck, _ bban: String) -> String {
        var chars = Array(bban.utf8)
        let positions = check.checkPositions
        for attempt in 0..<10 {
            if attempt > 0 {
                for before in positions.map({ $0 - 1 }) where before >= 0 && chars[before] <= 0x39 {
                    chars[before] = UInt8(0x30 + (Int(chars[before]) - 0x30 + 1) % 10)
                }
            }
            let alphabets = positions.map { chars[$0] >= 0x41 ? Array(UInt8(0x41)...UInt8(0x5A)) : Array(UInt8(0x30)...UInt8(0x39)) }
            var choice = [Int](repeating: 0, count: positions.count)
            while true {
                for (k, position) in positions.enumerated() { chars[position] = alphabets[k][choice[k]] }
                if check.isValid(chars[...]) { return String(decoding: chars, as: UTF8.self) }
                var k = 0
                while k < choice.count {
                    choice[k] += 1
                    if choice[k] < alphabets[k].count { break }
                    choice[k] = 0
                    k += 1
                }
                if k == choice.count { break }
            }
        }
        return bban
    }
}
