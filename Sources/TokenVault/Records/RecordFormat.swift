/// A record layout (CSV, JSON Lines) by the name users give it: `--format`, `--output-format`,
/// job files and recorded runs. Compression and encryption are separate layers of the chain,
/// recognised from the content.
///
/// Every format is one entry of `registry`; the decoder and the encoder a command uses are
/// chosen here and nowhere else, so a new format is one decoder type, one encoder type and
/// one line in `registry`.
public struct RecordFormat: RawRepresentable, Hashable, Sendable, CaseIterable, Codable {
    public let rawValue: String

    /// A known format's name; nil for any other.
    public init?(rawValue: String) {
        guard Self.registry.contains(where: { $0.name == rawValue }) else { return nil }
        self.rawValue = rawValue
    }

    private init(known name: String) { rawValue = name }

    public static let csv = RecordFormat(known: "csv")
    public static let jsonl = RecordFormat(known: "jsonl")

    public static var allCases: [RecordFormat] { registry.map { RecordFormat(known: $0.name) } }

    /// One format: its name, the file name endings that imply it, and how it is read and written.
    struct Entry: Sendable {
        let name: String
        /// Endings (before `.gz` and an OpenPGP suffix) that name a file of this format.
        let fileExtensions: [String]
        let decoder: @Sendable (_ delimiter: UInt8) -> any RecordDecoder
        let encoder: @Sendable () -> any RecordEncoder
    }

    /// Every format tokenvault reads and writes; the first is the default for standard input.
    static let registry: [Entry] = [
        Entry(name: "csv", fileExtensions: ["csv", "txt"], decoder: { CSVRecordDecoder(delimiter: $0) }, encoder: { CSVRecordEncoder() }),
        Entry(
            name: "jsonl", fileExtensions: ["jsonl", "ndjson", "json"], decoder: { _ in JSONLinesRecordDecoder() },
            encoder: { JSONLinesRecordEncoder() }),
    ]

    private var entry: Entry { Self.registry.first { $0.name == rawValue }! }

    /// The decoder that cuts and splits records of this format.
    ///
    /// - Parameter delimiter: the field delimiter, for formats that have one.
    func decoder(delimiter: UInt8 = UInt8(ascii: ",")) -> any RecordDecoder { entry.decoder(delimiter) }

    /// The encoder that writes records of this format.
    func encoder() -> any RecordEncoder { entry.encoder() }

    /// The name ending of an output file of this format (compressed): `csv.gz`, `jsonl.gz`.
    var fileExtension: String { "\(rawValue).gz" }

    /// The names, for messages: `csv or jsonl`.
    static var namesForMessages: String { registry.map(\.name).joined(separator: " or ") }

    /// The format a file name implies, after stripping an OpenPGP suffix (`.gpg`, `.pgp`,
    /// `.asc`) and `.gz`: `cards.csv.gz.gpg` is CSV.
    public static func inferred(fromPath path: String) -> RecordFormat? {
        var name = strippingOpenPGPSuffix(path.lowercased())
        if name.hasSuffix(".gz") { name.removeLast(3) }
        let entry = registry.first { $0.fileExtensions.contains { name.hasSuffix(".\($0)") } }
        return entry.map { RecordFormat(known: $0.name) }
    }

    /// `name` without a trailing `.gpg`, `.pgp` or `.asc`.
    static func strippingOpenPGPSuffix(_ name: String) -> String {
        for suffix in [".gpg", ".pgp", ".asc"] where name.hasSuffix(suffix) { return String(name.dropLast(4)) }
        return name
    }
}
