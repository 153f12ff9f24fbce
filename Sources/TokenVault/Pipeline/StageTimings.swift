import Foundation

/// CPU seconds spent in each pipeline stage (thread CPU time, summed over workers), for the
/// benchmark's per-stage split. CPU time, unlike wall time per stage, does not grow when
/// threads wait for a core.
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
    /// CPU seconds of the whole process (user + system).
    public var processCPU = 0.0
    /// Peak resident memory of the process, in bytes.
    public var peakRSSBytes = 0

    /// User plus system CPU seconds of the process so far.
    public static func currentProcessCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Peak RSS as the kernel reports it (`getrusage`), in bytes.
    public static func currentPeakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}

/// A monotonic stopwatch (wall time).
struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds
    var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

/// CPU time of the calling thread since creation; read it on the same thread.
struct ThreadCPUClock {
    private let start = ThreadCPUClock.now()
    var seconds: Double { ThreadCPUClock.now() - start }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
