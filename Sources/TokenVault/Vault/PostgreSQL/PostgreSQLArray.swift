/// Array parameters in PostgreSQL's text form, for set-form statements (`unnest($1::…[])`).
///
/// Only for elements that need no quoting: integers, hex text, UUIDs and tokens.
enum PostgreSQLArray {
    static func integers(_ values: some Sequence<Int64>) -> String {
        "{" + values.map(String.init).joined(separator: ",") + "}"
    }

    /// Elements made of letters, digits and '-' only.
    static func plain(_ values: some Sequence<String>) -> String {
        "{" + values.joined(separator: ",") + "}"
    }
}
