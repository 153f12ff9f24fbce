/// The layout of an input file. Compression is separate: it is detected from the content.
public enum InputFormat: String, Sendable, CaseIterable {
    case csv
    case jsonl

    /// The format a file name implies, after stripping `.gz`: `cards.csv.gz` is CSV.
    public static func inferred(fromPath path: String) -> InputFormat? {
        var name = path.lowercased()
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".csv") || name.hasSuffix(".txt") { return .csv }
        if name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") || name.hasSuffix(".json") { return .jsonl }
        return nil
    }
}
