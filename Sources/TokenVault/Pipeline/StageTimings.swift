import Foundation

/// Seconds spent in each pipeline stage (thread time, summed over workers), for the benchmark's
/// per-stage split.
public struct StageTimings: Sendable, Codable, Equatable {
    /// Reading, gunzip and cutting records (the reader thread).
    public var read = 0.0
    /// Splitting, validation, fingerprints and sealing (workers).
    public var prepare = 0.0
    /// Inserts and commits (the one vault writer).
    public var vault = 0.0
    /// Formatting and compressing results and errors (workers).
    public var format = 0.0
    /// Writing output files.
    public var write = 0.0
    public var wall = 0.0
    /// Peak resident memory of the process, in bytes.
    public var peakRSSBytes = 0

    /// Peak RSS as the kernel reports it (`getrusage`), in bytes.
    public static func currentPeakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}

/// A monotonic stopwatch.
struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds
    var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}
