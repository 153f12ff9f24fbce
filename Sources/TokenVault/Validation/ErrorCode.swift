/// The stable codes of per-row error records (SPEC §3). Their raw values are the contract.
public enum ErrorCode: String, Sendable, CaseIterable, Codable, Comparable {
    case missingField = "MISSING_FIELD"
    case invalidFormat = "INVALID_FORMAT"
    case invalidLength = "INVALID_LENGTH"
    case checksumFailed = "CHECKSUM_FAILED"
    case cardExpired = "CARD_EXPIRED"
    case unknownCountry = "UNKNOWN_COUNTRY"
    case countryMismatch = "COUNTRY_MISMATCH"
    case sensitiveDataInField = "SENSITIVE_DATA_IN_FIELD"
    case malformedRecord = "MALFORMED_RECORD"
    case cvvNotStored = "CVV_NOT_STORED"

    public static func < (lhs: ErrorCode, rhs: ErrorCode) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Whether a problem rejects its row.
public enum Severity: String, Sendable, Codable {
    case error
    case warning
}
