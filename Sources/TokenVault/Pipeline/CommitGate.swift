import Foundation

/// Holds each batch's formatted output until the commit that covers its rows, then passes it on
/// (SPEC §10: results are written only for committed rows).
///
/// The formatted output (compressed, a few dozen bytes a row) and the news that a batch is
/// durable arrive in either order, from different queues; whichever comes second releases it.
/// A batch whose transaction was rolled back is never released. Memory stays flat: at most one
/// transaction's worth of compressed output waits here, and an all-or-nothing run's one
/// transaction parks its output in a `SealedSpillFile`, so only its place waits here.
final class CommitGate<Item: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var held: [Int: Item] = [:]
    private var durable = Set<Int>()
    private let release: @Sendable (Int, Item) -> Void

    /// - Parameter release: receives each released item with its sequence number (called under
    ///   the gate's lock, so items of one sequence are never released twice).
    init(release: @escaping @Sendable (Int, Item) -> Void) {
        self.release = release
    }

    /// A batch's output is ready.
    func hold(_ sequence: Int, _ item: Item) {
        lock.withLock {
            if durable.remove(sequence) != nil {
                release(sequence, item)
            } else {
                held[sequence] = item
            }
        }
    }

    /// A commit made these batches durable.
    func markDurable(_ sequences: some Sequence<Int>) {
        lock.withLock {
            for sequence in sequences {
                if let item = held.removeValue(forKey: sequence) {
                    release(sequence, item)
                } else {
                    durable.insert(sequence)
                }
            }
        }
    }
}
