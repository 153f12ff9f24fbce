import Foundation
import Logging

/// A swift-log handler writing one line per event on stderr, as text or as a JSON object
/// (`time`, `level`, `event`, then the metadata) for log shippers.
struct StderrLogHandler: LogHandler {
    let label: String
    let json: Bool
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        let time = ISO8601DateFormatter().string(from: Date())
        var line: String
        if json {
            var object: [String: Any] = ["time": time, "level": "\(event.level)", "event": "\(event.message)"]
            for (key, value) in all { object[key] = StderrLogHandler.jsonValue(value) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        } else {
            line = "tokenvault: \(event.level): \(event.message)"
            if !all.isEmpty {
                line += " (" + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"
            }
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let s): return Int(s) ?? s
        case .stringConvertible(let s): return Int(s.description) ?? s.description
        case .array(let a): return a.map(jsonValue)
        case .dictionary(let d): return d.mapValues(jsonValue)
        }
    }
}
