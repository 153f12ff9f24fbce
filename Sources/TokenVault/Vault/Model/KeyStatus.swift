/// `tokenvault keys status`: key versions and what they protect. Nothing secret.
public struct KeyStatus: Sendable {
    public struct DataKey: Sendable {
        public let version: Int
        public let createdAt: String
        public let records: Int
        public let active: Bool
    }

    /// The identifier of the master key that opened the vault; nil when read without a key.
    public let masterKeyID: String?
    public let dataKeys: [DataKey]
    public let fingerprintKeyVersion: Int
    public let fingerprintKeyCreatedAt: String
    public let liveTokens: Int
    public let deletedTokens: Int
}
