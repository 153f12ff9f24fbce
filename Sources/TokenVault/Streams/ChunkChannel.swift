import Foundation

/// A bounded hand-off of byte chunks from one thread to another.
///
/// It lets a blocking producer (GPGME running an operation on its own thread) stream into a
/// pulling consumer without either side holding more than `capacity` chunks: a full channel
/// blocks the producer, an empty one blocks the consumer. Either side can stop the other.
final class ChunkChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var head = 0
    private let capacity: Int
    private var closed = false
    private var cancelled = false

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Queues `chunk`, waiting while the channel is full.
    ///
    /// - Returns: false when the consumer has cancelled: the producer should stop.
    func send(_ chunk: [UInt8]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while chunks.count - head >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        chunks.append(chunk)
        condition.broadcast()
        return true
    }

    /// The producer is done: the consumer gets what is queued, then the end.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The consumer is gone: a waiting or later `send` returns false, queued chunks are dropped.
    func cancel() {
        condition.lock()
        cancelled = true
        chunks = []
        head = 0
        condition.broadcast()
        condition.unlock()
    }

    /// True once the consumer (or a failed producer) has cancelled.
    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// The next chunk, waiting while the channel is empty; nil at the end or after `cancel`.
    func receive() -> [UInt8]? {
        condition.lock()
        defer { condition.unlock() }
        while head == chunks.count && !closed && !cancelled { condition.wait() }
        if cancelled || head == chunks.count { return nil }
        let chunk = chunks[head]
        chunks[head] = []
        head += 1
        if head == chunks.count || head >= 64 {
            chunks.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return chunk
    }
}
