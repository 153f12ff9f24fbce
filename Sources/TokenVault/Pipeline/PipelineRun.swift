import Dispatch
import Foundation

/// The concurrent part of one tokenize run (see `Tokenizer`); used once.
///
/// Shared state is under `lock`; the writer, the output files and each worker's preparer are
/// confined to their own serial queues.
///
/// A batch holds an in-flight slot from the reader until its output is formatted; its output
/// then waits in `gate` until the commit that covers its rows, and only then reaches the files.
/// The slot is not held across the wait: a transaction spans more batches than there are slots.
/// In an all-or-nothing run (one transaction for the whole input) the waiting output is parked
/// sealed in a `SealedSpillFile`, so memory does not grow with the input.
final class PipelineRun: @unchecked Sendable {
    private let request: TokenizeRequest
    private let formats: [RecordFormat]
    private let mapping: FieldMapping
    private let validator: any InstrumentValidator
    private let crypto: VaultCrypto
    private let formatter: ResultFormatter
    private let progress: (any ProgressObserver)?
    /// False for a dry run that updates nothing: no ciphertext is made for records never written.
    private let sealing: Bool
    private let tokenFormat: TokenFormat

    private let workers: [DispatchQueue]
    private let writerQueue = DispatchQueue(label: "tokenvault.vault-writer")
    private let outputQueue = DispatchQueue(label: "tokenvault.output")
    private let writer: Confined<any InstrumentWriter>
    private let resultsFile: Confined<OutputChain>
    private let errorsFile: Confined<OutputChain>
    private let openPGP: OpenPGPSession
    /// No row is committed when the run fails (OpenPGP inputs, verified only at their end).
    private let allOrNothing: Bool
    /// Where output waits for the one commit of an all-or-nothing run (nil otherwise).
    private let held: SealedSpillFile?
    private let slotCount: Int
    private let slots: DispatchSemaphore
    private var toWriter: InOrderDelivery<PreparedBatch>!
    private var toOutput: InOrderDelivery<FormattedBatch>!
    private var gate: CommitGate<FormattedBatch>!

    private let lock = NSLock()
    private var failure: TokenVaultError?
    private var stopSignal: StopRequest.Signal?
    private var committedTally = RunTally()
    private var stageTimes = StageTimings()
    private var unknownKeys = Set<String>()
    private var rowsDone = 0

    /// Per-input hash and size, in input order (reader thread only).
    private(set) var inputs: [ReconciliationReport.Input] = []
    /// Rows written over time, for the report's throughput chart; set when `execute` returns.
    private(set) var progressSamples: [ReconciliationReport.ProgressSample] = []

    /// A batch's output, compressed, on its way to the files.
    private struct FormattedBatch: Sendable {
        var rows: Int
        var results: [UInt8]
        var errors: [UInt8]
        /// Set while the output waits in `held`: `results` and `errors` are then empty.
        var parked: Parked?
    }

    /// Where a batch's output lies in `held`: results then errors, sealed as one item.
    private struct Parked: Sendable {
        let sequence: Int
        let record: SealedSpillFile.Record
        let resultsCount: Int
    }

    init(
        request: TokenizeRequest, formats: [RecordFormat], mapping: FieldMapping, validator: any InstrumentValidator,
        crypto: VaultCrypto, writer: any InstrumentWriter, formatter: ResultFormatter, resultsFile: OutputChain,
        errorsFile: OutputChain, openPGP: OpenPGPSession, allOrNothing: Bool, held: SealedSpillFile?,
        progress: (any ProgressObserver)?, sealing: Bool = true, tokenFormat: TokenFormat = .uuid
    ) {
        self.request = request
        self.tokenFormat = tokenFormat
        self.sealing = sealing
        self.formats = formats
        self.mapping = mapping
        self.validator = validator
        self.crypto = crypto
        self.formatter = formatter
        self.progress = progress
        self.openPGP = openPGP
        self.allOrNothing = allOrNothing
        self.held = held
        let count = max(1, request.concurrency)
        workers = (0..<count).map { DispatchQueue(label: "tokenvault.worker.\($0)") }
        self.writer = Confined(writer)
        self.resultsFile = Confined(resultsFile)
        self.errorsFile = Confined(errorsFile)
        // Enough batches in flight that the vault writer never waits for work; more would only hold memory.
        slotCount = 4 * count + 2
        slots = DispatchSemaphore(value: slotCount)
        toWriter = InOrderDelivery(queue: writerQueue) { [unowned self] batch in writeToVault(batch) }
        toOutput = InOrderDelivery(queue: outputQueue) { [unowned self] batch in appendOutput(batch) }
        gate = CommitGate { [unowned self] sequence, batch in toOutput.deliver(sequence, batch) }
    }

    var committed: RunTally { lock.withLock { committedTally } }
    var timings: StageTimings { lock.withLock { stageTimes } }
    var unknownColumns: Set<String> { lock.withLock { unknownKeys } }
    private var hasFailed: Bool { lock.withLock { failure != nil } }
    /// The signal that stopped the reader, if one did.
    var stoppedBy: StopRequest.Signal? { lock.withLock { stopSignal } }

    /// True when the reader must stop: a failure, or SIGINT/SIGTERM.
    private var shouldStop: Bool {
        if hasFailed { return true }
        guard let signal = StopRequest.signal else { return false }
        lock.withLock { stopSignal = stopSignal ?? signal }
        return true
    }

    private func fail(_ error: any Error) {
        let mapped = error as? TokenVaultError ?? TokenVaultError(.io, "unexpected failure: \(type(of: error))")
        lock.withLock { if failure == nil { failure = mapped } }
    }

    /// Runs every input through; returns the first failure, if any.
    func execute() -> TokenVaultError? {
        let clock = ProgressClock(observer: progress) { [self] in lock.withLock { rowsDone } }
        let sampler = ThroughputSampler { [self] in lock.withLock { rowsDone } }
        var sequence = 0
        var readWatch = ThreadCPUClock()
        var readSeconds = 0.0

        for (inputIndex, path) in request.inputs.enumerated() where !shouldStop {
            let format = formats[inputIndex]
            let source: InputSource
            do {
                source = try InputSource(path: path, expectedSHA256: request.knownInputs?[inputIndex].sha256, openPGP: openPGP)
            } catch { fail(error); break }
            defer { inputs.append(.init(path: path, sha256: source.sha256Hex, bytes: source.rawByteCount, rows: 0)) }
            let reader = RecordReader(source: source, format: format, delimiter: request.delimiter)
            let preparers = workers.map { _ in
                Confined(
                    RowPreparer(
                        kind: request.kind, format: format, delimiter: request.delimiter,
                        mapping: mapping, validator: validator, crypto: crypto, sealing: sealing,
                        tokenFormat: tokenFormat))
            }
            do {
                var layout: ColumnLayout?
                if reader.hasHeader {
                    let header = try reader.readHeader()
                    let resolved = try mapping.layout(forHeader: header, path: path)
                    lock.withLock { unknownKeys.formUnion(resolved.unknownColumns) }
                    layout = resolved
                }
                while !shouldStop {
                    guard let raw = try reader.nextBatch(maxRecords: request.batchSize, sequence: sequence, inputIndex: inputIndex) else {
                        break
                    }
                    readSeconds += readWatch.seconds
                    slots.wait()
                    readWatch = ThreadCPUClock()
                    let worker = sequence % workers.count
                    let preparer = preparers[worker]
                    workers[worker].async { [self, layout] in
                        let prepared = preparer.value.prepare(raw, layout: layout)
                        toWriter.deliver(prepared.sequence, prepared)
                    }
                    sequence += 1
                }
            } catch {
                fail(error)
            }
        }
        readSeconds += readWatch.seconds
        drain()
        writerQueue.sync {
            let watch = ThreadCPUClock()
            // Also after an input failure or a stop signal: what is pending came before and is
            // complete, so it is committed (SPEC §3, §10). A vault failure already rolled back.
            // Not so for an OpenPGP input: unless its end was reached and checked, every row
            // before is disowned (its integrity and signature are known only at the end).
            if allOrNothing && (hasFailed || stoppedBy != nil) {
                writer.value.rollback()
                lock.withLock { stageTimes.vault += watch.seconds }
                return
            }
            do {
                markDurable(try writer.value.commit())
            } catch {
                writer.value.rollback()
                fail(error)
            }
            lock.withLock { stageTimes.vault += watch.seconds }
        }
        // The gate has passed every committed batch on; let the files take them.
        outputQueue.sync {}
        clock.stop()
        progressSamples = sampler.stop()
        lock.withLock { stageTimes.read = readSeconds }
        return lock.withLock { failure }
    }

    /// Waits until every batch in flight has been written to the vault and formatted.
    private func drain() {
        for _ in 0..<slotCount { slots.wait() }
        for _ in 0..<slotCount { slots.signal() }
    }

    /// On the writer queue, in input order.
    private func writeToVault(_ prepared: PreparedBatch) {
        var batch = prepared
        lock.withLock {
            stageTimes.prepare += batch.prepareSeconds
            unknownKeys.formUnion(batch.unknownKeys)
        }
        guard !vaultFailed else {
            slots.signal()
            return
        }
        let watch = ThreadCPUClock()
        do {
            let durable = try writer.value.write(&batch)
            lock.withLock { stageTimes.vault += watch.seconds }
            markDurable(durable)
        } catch {
            // The open transaction is gone: none of its batches' output will ever be released.
            writer.value.rollback()
            vaultFailed = true
            lock.withLock { stageTimes.vault += watch.seconds }
            fail(error)
            slots.signal()
            return
        }
        workers[batch.sequence % workers.count].async { [self, batch] in
            let watch = ThreadCPUClock()
            var resolved = batch
            do {
                try checkBindings(resolved)
                try resolved.openStoredRecords(crypto: crypto, kind: request.kind)
            } catch {
                // Its output is never released, so no later batch's is either (input order).
                fail(error)
                slots.signal()
                return
            }
            let (results, errors) = formatter.format(resolved)
            var formatted = FormattedBatch(
                rows: resolved.rows.count, results: GzipMember.compress(results, level: 1),
                errors: errors.isEmpty ? [] : GzipMember.compress(errors, level: 1))
            if let held {
                do {
                    let record = try held.park(formatted.results + formatted.errors, sequence: resolved.sequence)
                    formatted.parked = Parked(sequence: resolved.sequence, record: record, resultsCount: formatted.results.count)
                    formatted.results = []
                    formatted.errors = []
                } catch {
                    fail(error)
                    slots.signal()
                    return
                }
            }
            lock.withLock { stageTimes.format += watch.seconds }
            gate.hold(resolved.sequence, formatted)
            slots.signal()
        }
    }

    /// Every record a row matched by fingerprint must be that row's instrument (on a worker).
    private func checkBindings(_ batch: PreparedBatch) throws {
        for (row, resolution) in zip(batch.rows, batch.resolutions) {
            guard let matched = resolution.matched, let token = resolution.token, let instrument = row.instrument else { continue }
            try crypto.checkBinding(
                of: instrument.fingerprint, to: token, kind: request.kind, sealed: matched.sealed, dataKey: matched.dataKey)
        }
    }

    /// Set on the writer queue only, when the vault refused a write: later batches are dropped.
    private var vaultFailed = false

    /// A commit made these batches durable: their counts become the run's, their output may be written.
    private func markDurable(_ batches: [DurableBatch]) {
        guard !batches.isEmpty else { return }
        lock.withLock {
            for batch in batches { committedTally.add(batch.tally) }
        }
        gate.markDurable(batches.lazy.map(\.sequence))
    }

    /// Set on the output queue only.
    private var outputFailed = false

    /// On the output queue, in input order.
    private func appendOutput(_ batch: FormattedBatch) {
        // After a failed write (a full disk) nothing more is appended to either file.
        guard batch.rows > 0, !outputFailed else { return }
        let watch = ThreadCPUClock()
        do {
            var batch = batch
            if let parked = batch.parked, let held {
                let bytes = try held.take(parked.record, sequence: parked.sequence)
                batch.results = Array(bytes[..<parked.resultsCount])
                batch.errors = Array(bytes[parked.resultsCount...])
            }
            try resultsFile.value.write(batch.results)
            if !batch.errors.isEmpty { try errorsFile.value.write(batch.errors) }
        } catch {
            outputFailed = true
            fail(error)
        }
        lock.withLock {
            stageTimes.write += watch.seconds
            rowsDone += batch.rows
        }
    }
}
