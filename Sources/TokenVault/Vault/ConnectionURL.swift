import Foundation

/// Connection URLs as they may be shown: never with a password.
enum ConnectionURL {
    /// Query parameters whose values are secret (libpq's `password`, and TLS key passphrases).
    static let secretParameters: Set<String> = ["password", "sslpassword"]

    /// `url` with the password of its user-info and every secret query parameter replaced by
    /// `***`. Works on the text alone, so a URL that fails to parse is still redacted.
    static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let scheme = url[..<schemeEnd.upperBound]
        var rest = url[schemeEnd.upperBound...]
        var out = String(scheme)
        // User info ends at the last '@' before the path or query (a password may hold '@' or '/').
        let authorityEnd = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? rest.endIndex
        if let at = rest[..<authorityEnd].lastIndex(of: "@") {
            let userInfo = rest[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                out += userInfo[..<colon] + ":***"
            } else {
                out += userInfo
            }
            out += "@"
            rest = rest[rest.index(after: at)...]
        }
        guard let question = rest.firstIndex(of: "?") else { return out + rest }
        out += rest[...question]
        let query = rest[rest.index(after: question)...]
        out += query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return secretParameters.contains(name.lowercased()) ? "\(name)=***" : String(pair)
        }.joined(separator: "&")
        return out
    }
}

extension ConnectionURL {
    /// The secret values a URL carries (its user-info password, `password=`, `sslpassword=`),
    /// percent-decoded as well as raw, so a message that echoes one can be scrubbed.
    static func secrets(of url: String) -> [String] {
        var found: [String] = []
        if let schemeEnd = url.range(of: "://") {
            let rest = url[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") {
                found.append(String(rest[rest.index(after: colon)..<at]))
            }
            if let question = rest.firstIndex(of: "?") {
                for pair in rest[rest.index(after: question)...].split(separator: "&") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2, secretParameters.contains(parts[0].lowercased()) { found.append(String(parts[1])) }
                }
            }
        }
        let decoded = found.compactMap { $0.removingPercentEncoding }
        return Array(Set(found + decoded)).filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    /// `message` with every secret replaced by `***`.
    static func scrub(_ message: String, secrets: [String]) -> String {
        secrets.reduce(message) { $0.replacingOccurrences(of: $1, with: "***") }
    }
}
