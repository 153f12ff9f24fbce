import Testing

@testable import TokenVault

/// The throughput samples stay bounded and evenly spread, however long the run.
@Suite struct SampleSeriesTests {
    @Test(arguments: [10, 240, 241, 1000, 100_000])
    func staysWithinCapacityAndEvenlySpaced(offered: Int) {
        var series = SampleSeries(capacity: 240)
        for second in 0..<offered { series.add(seconds: Double(second), rows: second * 10) }
        series.finish(seconds: Double(offered), rows: offered * 10)
        let samples = series.samples
        #expect(samples.count <= 240)
        #expect(samples.count >= min(offered + 1, 120), "decimation keeps at least half the capacity")
        #expect(samples.first?.seconds == 0)
        #expect(samples.last?.seconds == Double(offered) && samples.last?.rows == offered * 10, "the final count is last")
        let gaps = Set(zip(samples, samples.dropFirst()).dropLast().map { $1.seconds - $0.seconds })
        #expect(gaps.count <= 1, "one interval between kept samples: \(gaps)")
    }
}
