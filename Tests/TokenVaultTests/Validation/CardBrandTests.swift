import Testing

@testable import TokenVault

/// Card brands from the IIN table (issue 12): one test per range, boundaries included, and the
/// overlaps where the longer prefix wins.
@Suite struct CardBrandTests {
    /// A Luhn-valid number of `length` digits starting with `prefix`.
    static func card(_ prefix: Int, length: Int = 16) -> String {
        TestCards.number(prefix: String(prefix), length: length, serial: 7)
    }

    static func brand(_ number: String) -> CardBrand { CardBrand.detect(number.utf8.map { $0 - 0x30 }) }

    /// Every range, written here independently of the product's table: (low, high, brand).
    static let ranges: [(Int, Int, CardBrand)] = [
        (4, 4, .visa), (51, 55, .mastercard), (2221, 2720, .mastercard), (34, 34, .amex), (37, 37, .amex),
        (300, 305, .diners), (3095, 3095, .diners), (36, 36, .diners), (38, 39, .diners), (3528, 3589, .jcb),
        (6011, 6011, .discover), (644, 649, .discover), (65, 65, .discover), (62, 62, .unionpay), (81, 81, .unionpay),
        (50, 50, .maestro), (56, 58, .maestro), (67, 67, .maestro), (639000, 639000, .maestro), (5018, 5018, .maestro),
        (5020, 5020, .maestro), (5038, 5038, .maestro), (5893, 5893, .maestro), (6304, 6304, .maestro),
        (6759, 6759, .maestro), (6761, 6763, .maestro),
        (2200, 2204, .mir),
        (508500, 508999, .rupay), (606985, 607984, .rupay), (608001, 608500, .rupay), (652150, 653149, .rupay),
        (9792, 9792, .troy),
        (506099, 506198, .verve), (507865, 507964, .verve), (650002, 650027, .verve),
        (401178, 401179, .elo), (431274, 431274, .elo), (438935, 438935, .elo), (451416, 451416, .elo),
        (457393, 457393, .elo), (457631, 457632, .elo), (504175, 504175, .elo), (506699, 506778, .elo),
        (509000, 509999, .elo), (627780, 627780, .elo), (636297, 636297, .elo), (636368, 636368, .elo),
        (650031, 650033, .elo), (650035, 650051, .elo), (650057, 650081, .elo), (650405, 650439, .elo),
        (650485, 650538, .elo), (650541, 650598, .elo), (650700, 650718, .elo), (650720, 650727, .elo),
        (650901, 650978, .elo), (651652, 651704, .elo), (655000, 655019, .elo), (655021, 655058, .elo),
    ]

    @Test(arguments: ranges)
    func everyRangeBoundaryAndMiddleIsItsBrand(low: Int, high: Int, brand: CardBrand) {
        for prefix in Set([low, (low + high) / 2, high]) {
            for length in [13, 16, 19] {
                let number = Self.card(prefix, length: length)
                #expect(Luhn.isValid(number.utf8.map { $0 - 0x30 }))
                #expect(Self.brand(number) == brand, "\(prefix)… (\(length) digits)")
            }
        }
    }

    /// The product's table is exactly the one above: nothing added or lost unnoticed.
    @Test func theTableIsTheDocumentedOne() {
        let table = CardBrand.iinRanges.map { "\($0.low)-\($0.high)-\($0.brand)" }.sorted()
        let documented = Self.ranges.map { "\($0.0)-\($0.1)-\($0.2)" }.sorted()
        #expect(table == documented)
    }

    /// Longest prefix wins only works if no two brands claim the same prefix at the same length.
    @Test func noTwoBrandsOverlapAtOneLength() {
        let rows = CardBrand.iinRanges
        for (i, a) in rows.enumerated() {
            #expect(a.low <= a.high && String(a.high).count == a.digits && a.digits <= IINRange.maximumDigits)
            for b in rows[(i + 1)...] where a.digits == b.digits && a.brand != b.brand {
                #expect(a.high < b.low || b.high < a.low, "\(a.low)-\(a.high) \(a.brand) overlaps \(b.low)-\(b.high) \(b.brand)")
            }
        }
    }

    /// Where schemes overlap, and just outside each new range: (prefix, brand).
    @Test(
        arguments: [
            // Elo, Verve and RuPay inside Discover's 65.
            (650031, CardBrand.elo), (650030, .discover), (650034, .discover), (650002, .verve), (650001, .discover),
            (650028, .discover), (652150, .rupay), (652149, .discover), (653149, .rupay), (653150, .discover),
            (655020, .discover), (6011, .discover),
            // Elo, Verve and RuPay inside Maestro's 50.
            (504175, .elo), (504174, .maestro), (504176, .maestro), (506099, .verve), (506098, .maestro),
            (506198, .verve), (506199, .maestro), (507865, .verve), (507864, .maestro), (507965, .maestro),
            (508500, .rupay), (508499, .maestro), (509000, .elo), (509999, .elo), (506699, .elo), (506778, .elo), (506779, .maestro),
            // Elo inside UnionPay's 62 and Visa's 4.
            (627780, .elo), (627779, .unionpay), (627781, .unionpay), (401178, .elo), (401177, .visa), (401180, .visa),
            (457631, .elo), (457630, .visa), (457633, .visa),
            // Mir next to Mastercard's 2221–2720.
            (2200, .mir), (2204, .mir), (2199, .unknown), (2205, .unknown), (2220, .unknown), (2221, .mastercard),
            // Troy in the national-assignment 9.
            (9792, .troy), (9791, .unknown), (9793, .unknown),
            // RuPay where nothing else claims the prefix.
            (606985, .rupay), (606984, .unknown), (607984, .rupay), (607985, .unknown), (608000, .unknown), (608001, .rupay),
            (608501, .unknown),
        ] as [(Int, CardBrand)])
    func overlapsGoToTheLongerPrefix(prefix: Int, brand: CardBrand) {
        #expect(Self.brand(Self.card(prefix)) == brand, "\(prefix)…")
    }

    @Test(arguments: [
        ("4111111111111111", CardBrand.visa), ("5555555555554444", .mastercard), ("2221000000000009", .mastercard),
        ("378282246310005", .amex), ("6011111111111117", .discover), ("6500000000000002", .discover),
        ("30569309025904", .diners), ("36227206271667", .diners), ("3530111333300000", .jcb),
        ("6200000000000005", .unionpay), ("6759649826438453", .maestro), ("5018000000000009", .maestro),
        ("9111111111111111", .unknown), ("1234567890123", .unknown), ("", .unknown), ("4", .visa), ("22", .unknown),
    ])
    func detects(number: String, brand: CardBrand) {
        #expect(Self.brand(number) == brand)
    }

    /// The brand shows in the validated row; an unknown brand is not an error.
    @Test func unknownBrandIsNotAnError() {
        var issues: [RowIssue] = []
        let display = CardValidator(currentMonth: YearMonth(year: 2026, month: 11), allowExpired: false)
            .validate(.make([.cardNumber: Self.card(9111), .expiryDate: "12/30"]), scratch: RowScratch(), issues: &issues)
        #expect(issues.isEmpty)
        #expect(display?.brandOrCountry == "unknown")
    }
}
