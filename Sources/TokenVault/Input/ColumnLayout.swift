/// A CSV header resolved: for each column, the field it feeds (nil for ignored columns) and the
/// kept column it feeds (-1 for none, `--keep-column`).
struct ColumnLayout: Sendable {
    let fields: [Field?]
    var kept: [Int] = []
    let unknownColumns: [String]
}
