import Foundation
import Logging

/// A swift-log handler writing one line per event on stderr, as text or as a JSON object
/// (`time`, `level`, `event`, then the metadata) for log shippers.
///
/// JSON lines keep one type per key: a metadata value given as a string stays a string (a job id
/// `"20261204"` is not turned into a number); integers, doubles and booleans given as
/// `.stringConvertible` are JSON numbers and booleans. Times are UTC with milliseconds.
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
        StderrLogHandler.write(level: event.level, event: "\(event.message)", metadata: all, json: json)
    }

    /// Writes one line; also used for fatal errors, which happen before or outside any logger.
    static func write(level: Logger.Level, event: String, metadata: Logger.Metadata, json: Bool) {
        var line: String
        if json {
            var object: [String: Any] = ["time": time(Date()), "level": "\(level)", "event": event]
            for (key, value) in metadata where object[key] == nil { object[key] = jsonValue(value) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        } else {
            line = "tokenvault: \(level): \(event)"
            if !metadata.isEmpty {
                line += " (" + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"
            }
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// `2026-12-04T13:45:01.123Z`.
    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let s): return s
        case .stringConvertible(let s):
            switch s {
            case let n as Int: return n
            case let d as Double where d.isFinite: return d
            case let b as Bool: return b
            default: return s.description
            }
        case .array(let a): return a.map(jsonValue)
        case .dictionary(let d): return d.mapValues(jsonValue)
        }
    }
}
