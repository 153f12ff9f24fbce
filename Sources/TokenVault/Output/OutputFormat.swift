/// The layout of the result and error files.
public enum OutputFormat: String, Sendable, CaseIterable, Codable {
    case csv
    case jsonl

    var fileExtension: String { self == .csv ? "csv.gz" : "jsonl.gz" }
}
