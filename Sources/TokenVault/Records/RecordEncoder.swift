/// Writes one record format, value by value, into a byte buffer.
///
/// The hot result writer (`ResultFormatter`) calls the field-level methods for every row;
/// string-level writers (detokenize, samples) write whole records with `appendRecord`.
/// Numbers and `true`/`false` are written the same in every format, by the caller.
protocol RecordEncoder: Sendable {
    /// The bytes before the first record: a header line, or nothing when records name their fields.
    func header(_ columns: [String]) -> [UInt8]

    func beginRecord(_ out: inout [UInt8])
    /// Ends a record with its line break.
    func endRecord(_ out: inout [UInt8])

    /// What comes before a field's value: a separator unless `first`, and its name where the
    /// format names fields.
    func beginField(_ name: UnsafeRawBufferPointer, first: Bool, _ out: inout [UInt8])

    /// A text value, quoted or escaped as the format needs.
    func appendText(_ value: String, _ out: inout [UInt8])

    /// Around a text value that needs no escaping (a status, a token, `MM/YY`).
    func beginPlainText(_ out: inout [UInt8])
    func endPlainText(_ out: inout [UInt8])

    /// No value: an empty field, or `null`.
    func appendNull(_ out: inout [UInt8])

    /// One record of named text values; a nil value is absent (an empty field, or a key left out).
    func appendRecord(_ fields: [(name: String, value: String?)], _ out: inout [UInt8])

    /// A record that cannot be read, for samples: cut off inside its second field.
    func appendUnreadableRecord(_ fields: [(name: String, value: String)], _ out: inout [UInt8])
}
