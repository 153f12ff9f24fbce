/// A key of a lookup table (`fingerprints`, `tokens`): bound to a statement from its own bytes,
/// without a copy, so the writer's sorted inserts are one loop for both tables.
protocol LookupKey {
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Fingerprint: LookupKey {}
extension Token: LookupKey {}
