import Foundation

/// A calendar month, as card expiries count time.
public struct YearMonth: Sendable, Comparable, Hashable {
    public var year: Int
    public var month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    /// The month `date` falls in, in UTC.
    public init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: date)
        self.init(year: parts.year!, month: parts.month!)
    }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    /// `YYYYMM` as ASCII digits, as the sealed payload keeps an expiry.
    public var compactDigits: [UInt8] {
        let y = max(0, min(year, 9999))
        return [y / 1000, y / 100 % 10, y / 10 % 10, y % 10, month / 10, month % 10].map { UInt8(0x30 + $0) }
    }

    /// `MM/YY`, as the result file shows an expiry.
    public var shortForm: String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        let y = year % 100
        return m + "/" + (y < 10 ? "0\(y)" : "\(y)")
    }
}
