/// How a vault's card tokens look, chosen once at `init` and kept in the vault's metadata
/// (SPEC §11). Bank-account tokens are UUIDs in either vault.
public enum TokenFormat: String, Sendable, CaseIterable {
    /// Random UUID v4 strings (SPEC §4).
    case uuid
    /// Card-shaped digits: the card's length, first 6 and last 4, random middle, Luhn-invalid.
    case formatPreserving = "format-preserving"
}
