import Foundation

/// A value axis from zero: "nice" tick values (1, 2, 2.5 or 5 × 10ⁿ apart) and the mapping of
/// values to lengths, shared by the bar and line charts.
struct ChartAxis: Equatable {
    /// Tick values from 0 to `top` inclusive, evenly spaced.
    let ticks: [Double]
    var top: Double { ticks.last ?? 1 }

    /// An axis that shows `maximum` with about `count` intervals; an empty or zero range gets 0…1.
    init(maximum: Double, count: Int = 4) {
        let limit = maximum.isFinite && maximum > 0 ? maximum : 1
        let rough = limit / Double(max(1, count))
        let magnitude = pow(10, floor(log10(rough)))
        let step = [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        let intervals = Int((limit / step).rounded(.up))
        ticks = (0...max(1, intervals)).map { Double($0) * step }
    }

    /// `value` as a length along an axis of `length` (clamped to 0…length).
    func scale(_ value: Double, length: Double) -> Double {
        guard value.isFinite, top > 0 else { return 0 }
        return min(length, max(0, value / top * length))
    }
}

/// Numbers as chart labels: `1,234`, `12.5k`, `3.2M`.
enum ChartNumber {
    static func short(_ value: Double) -> String {
        let magnitude = abs(value)
        func trimmed(_ x: Double) -> String {
            let text = String(format: "%.1f", x)
            return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        }
        if magnitude >= 1e9 { return trimmed(value / 1e9) + "G" }
        if magnitude >= 1e6 { return trimmed(value / 1e6) + "M" }
        if magnitude >= 1e4 { return trimmed(value / 1e3) + "k" }
        if magnitude == magnitude.rounded() { return grouped(Int(value)) }
        return trimmed(value)
    }

    /// `1234567` → `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    /// A coordinate with at most one decimal, as SVG wants it (never `nan`).
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.1f", rounded)
    }
}
