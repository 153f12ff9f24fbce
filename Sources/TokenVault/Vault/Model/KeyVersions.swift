/// Which key versions are current: new records are sealed under `activeDataKey`, and every
/// fingerprint is made under `fingerprintKey`.
struct KeyVersions: Sendable, Equatable {
    let activeDataKey: Int
    let fingerprintKey: Int
}
