/// A run's row in the vault: what `created_run` refers to, so a resumed run knows its own tokens.
public struct RunRecord: Sendable {
    public let id: Int64
    public let jobID: String
    public let kind: InstrumentKind
    /// The vault's token count when the job id first started (kept across resumes).
    public let tokensBefore: Int
    /// True when this job id had started before (crashed or rerun).
    public let resumed: Bool
}
