@testable import TokenVault

extension RowFields {
    /// Fields from a dictionary, as a reader would leave them.
    static func make(_ values: [Field: String]) -> RowFields {
        let fields = RowFields()
        for (field, value) in values {
            Array(value.utf8).withUnsafeBufferPointer { fields.set(field, $0) }
        }
        return fields
    }
}
