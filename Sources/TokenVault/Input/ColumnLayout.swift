/// A CSV header resolved: for each column, the field it feeds (nil for ignored columns).
struct ColumnLayout: Sendable {
    let fields: [Field?]
    let unknownColumns: [String]
}
