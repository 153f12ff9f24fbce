/// Why a token is deleted (the reasons of the network-token delete APIs).
public enum DeleteReason: String, Sendable, CaseIterable {
    case customerRequest = "customer_request"
    case compromised
    case retentionExpired = "retention_expired"
    case other
}
