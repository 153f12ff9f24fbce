/// What a batch of deletions did.
public struct DeleteCounts: Sendable, Equatable {
    public var deleted = 0
    public var alreadyDeleted = 0
    public var unknown = 0
}
