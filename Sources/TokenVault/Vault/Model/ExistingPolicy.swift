/// What a run does with an instrument the vault already holds (`--on-existing`, SPEC §10).
public enum ExistingPolicy: String, Sendable, CaseIterable {
    /// Stored data is not changed (the first release's behaviour).
    case keep
    /// The stored expiry and holder name are replaced with the row's; the number never changes.
    case update
}
