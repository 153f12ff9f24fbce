/// The layout of an input file. Compression is separate: it is detected from the content.
public enum InputFormat: String, Sendable, CaseIterable {
    case csv
    case jsonl

    /// The format a file name implies, after stripping an OpenPGP suffix (`.gpg`, `.pgp`,
    /// `.asc`) and `.gz`: `cards.csv.gz.gpg` is CSV.
    public static func inferred(fromPath path: String) -> InputFormat? {
        var name = strippingOpenPGPSuffix(path.lowercased())
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name.hasSuffix(".csv") || name.hasSuffix(".txt") { return .csv }
        if name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") || name.hasSuffix(".json") { return .jsonl }
        return nil
    }

    /// `name` without a trailing `.gpg`, `.pgp` or `.asc`.
    static func strippingOpenPGPSuffix(_ name: String) -> String {
        for suffix in [".gpg", ".pgp", ".asc"] where name.hasSuffix(suffix) { return String(name.dropLast(4)) }
        return name
    }
}
