/// One row of the IIN table: the numbers whose first `digits` digits fall in `low...high`
/// belong to `brand` (ISO/IEC 7812-1 issuer identification numbers).
public struct IINRange: Sendable, Equatable {
    public let low: Int
    public let high: Int
    /// How many leading digits the bounds cover (both bounds have this many digits).
    public let digits: Int
    public let brand: CardBrand

    /// A range of prefixes of one length: `IINRange(2200...2204, .mir)`.
    init(_ range: ClosedRange<Int>, _ brand: CardBrand) {
        low = range.lowerBound
        high = range.upperBound
        digits = String(range.lowerBound).count
        self.brand = brand
    }

    /// A single prefix: `IINRange(6011, .discover)`.
    init(_ prefix: Int, _ brand: CardBrand) { self.init(prefix...prefix, brand) }

    /// The longest prefix any row uses.
    static let maximumDigits = 8

    /// 10⁰ … 10⁸, to cut a number's first digits down to a row's length.
    static let powersOfTen: [Int] = (0...maximumDigits).map { (0..<$0).reduce(1) { value, _ in value * 10 } }

    /// The table with the longest prefixes first: the first match is the most specific.
    static let longestFirst: [IINRange] = CardBrand.iinRanges.sorted { $0.digits > $1.digits }
}
