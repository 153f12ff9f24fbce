import Dispatch
import Foundation

/// Hands items numbered 0, 1, 2, … to `body` on a serial queue in number order, whatever
/// order they arrive in from concurrent workers.
final class InOrderDelivery<Item: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [Int: Item] = [:]
    private var next = 0
    private let queue: DispatchQueue
    private let body: @Sendable (Item) -> Void

    init(queue: DispatchQueue, body: @escaping @Sendable (Item) -> Void) {
        self.queue = queue
        self.body = body
    }

    func deliver(_ sequence: Int, _ item: Item) {
        lock.lock()
        defer { lock.unlock() }
        pending[sequence] = item
        // Enqueue under the lock, so the serial queue receives items in number order.
        while let ready = pending.removeValue(forKey: next) {
            next += 1
            let body = self.body
            queue.async { body(ready) }
        }
    }
}
