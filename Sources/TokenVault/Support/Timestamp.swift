import Foundation

/// UTC timestamps as the vault and reports write them (ISO 8601, second precision).
public enum Timestamp {
    public static func iso8601(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// `yyyyMMdd'T'HHmmss'Z'`, as default job ids use.
    public static func compact(_ date: Date) -> String {
        iso8601(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }

    /// `yyyyMMdd'T'HHmmss.SSS'Z'`: what default job ids use, so two runs a second apart differ.
    public static func compactMilliseconds(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let milliseconds = min(999, Int((date.timeIntervalSince1970 - seconds) * 1000))
        return compact(Date(timeIntervalSince1970: seconds)).dropLast() + String(format: ".%03dZ", milliseconds)
    }

    /// Parses `YYYY-MM-DD` or a full ISO 8601 UTC timestamp.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: text)
    }
}

/// Who runs this process, for the audit trail.
enum ProcessIdentity {
    static var user: String {
        if let name = ProcessInfo.processInfo.environment["USER"], !name.isEmpty { return name }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }

    static var host: String { ProcessInfo.processInfo.hostName }
}
