import ArgumentParser

/// The allowed range of every numeric option, checked in `validate()` — before any vault, key
/// or output is created (64 otherwise). Unchecked, `--wait 2147484` overflowed the busy timeout
/// after an empty vault was made, and `--concurrency 10000000` exhausted memory.
enum OptionRange {
    static let waitSeconds: ClosedRange<Double> = 0...3600
    static let concurrency: ClosedRange<Int> = 1...256
    static let rejectRate: ClosedRange<Double> = 0...1
    static let batchSize: ClosedRange<Int> = 1...1_000_000
    static let commitEvery: ClosedRange<Int> = 1...100_000_000
    static let rows: ClosedRange<Int> = 0...1_000_000_000
    static let percent: ClosedRange<Double> = 0...100

    /// - Throws: `ValidationError` naming the option and its range (NaN is outside every range).
    static func check<T: Comparable>(_ value: T?, _ range: ClosedRange<T>, _ option: String) throws {
        guard let value, !range.contains(value) else { return }
        throw ValidationError("\(option) must be from \(range.lowerBound) to \(range.upperBound)")
    }
}
