/// One line of the audit trail: who did what, when. Never a number or a key.
public struct AuditEntry: Sendable, Equatable {
    public let at: String
    public let user: String
    public let host: String
    public let command: String
    public let jobID: String?
    /// Counts and names, as a JSON object.
    public let details: String
}
