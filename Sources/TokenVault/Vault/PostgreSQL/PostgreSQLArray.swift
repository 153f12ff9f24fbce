/// Array parameters in PostgreSQL's text form, for set-form statements (`unnest($1::…[])`).
///
/// Only for elements that need no quoting (integers, hex text, UUIDs and tokens) or that are
/// quoted here (fingerprints as `bytea`).
enum PostgreSQLArray {
    static func integers(_ values: some Sequence<Int64>) -> String {
        "{" + values.map(String.init).joined(separator: ",") + "}"
    }

    /// Elements made of letters, digits and '-' only.
    static func plain(_ values: some Sequence<String>) -> String {
        "{" + values.joined(separator: ",") + "}"
    }

    /// Fingerprints as a `bytea[]`: each element `"\\x…"` (the array's escape, then bytea's hex form).
    static func bytea(_ values: [Fingerprint]) -> String {
        "{" + values.map { fingerprint in fingerprint.withBytes { "\"\\\\x\($0.hexString)\"" } }.joined(separator: ",") + "}"
    }
}
