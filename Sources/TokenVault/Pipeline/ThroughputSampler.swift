import Dispatch
import Foundation

/// Records (elapsed seconds, rows done) during a run, for the report's throughput chart.
///
/// One sample a second; the list never holds more than `capacity` samples: when full, every
/// other sample is dropped and the interval doubles, so a run of any length keeps an even
/// spread of at most `capacity` points (a few kilobytes in the report).
final class ThroughputSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var series: SampleSeries
    private let timer: any DispatchSourceTimer
    private let started = Stopwatch()
    private let rows: @Sendable () -> Int

    init(capacity: Int = 240, rows: @escaping @Sendable () -> Int) {
        series = SampleSeries(capacity: capacity)
        self.rows = rows
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "tokenvault.throughput"))
        series.add(seconds: 0, rows: 0)
        timer.schedule(deadline: .now() + 1, repeating: 1)
        timer.setEventHandler { [weak self] in self?.record() }
        timer.resume()
    }

    deinit { timer.cancel() }

    private func record() {
        let done = rows()
        let seconds = started.seconds
        lock.withLock { series.add(seconds: seconds, rows: done) }
    }

    /// Stops sampling and returns the samples, the final count last.
    func stop() -> [ReconciliationReport.ProgressSample] {
        timer.cancel()
        let done = rows()
        let seconds = started.seconds
        return lock.withLock {
            series.finish(seconds: seconds, rows: done)
            return series.samples
        }
    }
}

/// A bounded series of samples, thinned by decimation (see `ThroughputSampler`).
struct SampleSeries {
    let capacity: Int
    private(set) var samples: [ReconciliationReport.ProgressSample] = []
    /// Keep one offered sample in `stride`.
    private(set) var stride = 1
    private var offered = 0

    init(capacity: Int) {
        self.capacity = max(4, capacity)
        samples.reserveCapacity(self.capacity)
    }

    mutating func add(seconds: Double, rows: Int) {
        defer { offered += 1 }
        guard offered % stride == 0 else { return }
        if samples.count == capacity {
            // Keep the even positions (the first sample stays), and from now one in twice as many.
            samples = samples.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            stride *= 2
            guard offered % stride == 0 else { return }
        }
        samples.append(.init(seconds: seconds, rows: rows))
    }

    /// Adds the final sample, replacing the last one if the list is full.
    mutating func finish(seconds: Double, rows: Int) {
        if let last = samples.last, last.seconds == seconds, last.rows == rows { return }
        if samples.count == capacity { samples.removeLast() }
        samples.append(.init(seconds: seconds, rows: rows))
    }
}
