/// Why a record could not be read; each is one `MALFORMED_RECORD` error for its row.
enum MalformedReason: UInt8, Sendable {
    case unterminatedQuote
    case textAfterClosingQuote
    case wrongFieldCount
    case invalidUTF8
    case invalidJSON
    case notAnObject
    case nestedTooDeep

    var message: String {
        switch self {
        case .unterminatedQuote: "the row has a quoted field that is never closed"
        case .textAfterClosingQuote: "the row has text after the closing quote of a field"
        case .wrongFieldCount: "the row does not have as many fields as the header"
        case .invalidUTF8: "the row is not valid UTF-8"
        case .invalidJSON: "the line is not valid JSON"
        case .notAnObject: "the line is not a JSON object"
        case .nestedTooDeep: "the line nests objects or arrays deeper than \(JSONObjectParser.maxDepth) levels"
        }
    }
}
