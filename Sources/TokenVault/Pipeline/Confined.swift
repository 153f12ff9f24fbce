/// A non-`Sendable` value that is only ever touched on one serial queue.
///
/// Dispatch closures must be `@Sendable`; this box lets them carry a connection, a file or a
/// worker's buffers to the one queue that owns them. The confinement is the caller's promise.
final class Confined<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
