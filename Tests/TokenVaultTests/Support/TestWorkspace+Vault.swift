import Foundation
@testable import TokenVault

/// Looking into a vault, and into the outputs a killed run left (SPEC §10 tests).
extension TestWorkspace {
    /// The vault's live-token counter, read without a key through the store (nil while the
    /// vault does not exist yet or cannot be read).
    func liveTokens(vault: String) -> Int? {
        let options = VaultStoreOptions(location: VaultLocation(vault))
        guard let type = try? options.location.storeType(), (try? type.exists(options)) == true,
              let store = try? type.openExisting(options, readOnly: true) else { return nil }
        return try? store.liveTokenCount()
    }

    /// Every token the vault holds, deleted ones included.
    func vaultTokens(_ vault: String = "vault.db") throws -> Set<String> {
        let connection = try SQLiteConnection(path: path(vault), create: false)
        let statement = try connection.prepare("SELECT token FROM instruments")
        var tokens = Set<String>()
        while try statement.step() {
            if let token = statement.withBlob(at: 0, { Token(storedBytes: $0) }) { tokens.insert(token.description) }
        }
        return tokens
    }

    /// Tokens committed so far (the vault's live counter), or nil while the vault cannot be read.
    func committedTokenCount(_ vault: String = "vault.db") -> Int? {
        liveTokens(vault: path(vault))
    }

    /// The complete lines of a gzip output that a killed process may have left torn: what any
    /// reader of the file can see, up to the first damaged byte.
    func readCompleteLines(_ path: String) throws -> [String] {
        let source = try InputSource(path: path)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            guard let n = try? buffer.withUnsafeMutableBytes({ try source.read(into: $0) }), n > 0 else { break }
            out += buffer[0..<n]
        }
        guard let lastNewline = out.lastIndex(of: 0x0A) else { return [] }
        return String(decoding: out[...lastNewline], as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Waits (polling, at most `seconds`) until `condition` holds or the process ends.
    @discardableResult
    func waitUntil(_ running: RunningProcess, seconds: Double = 60, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && running.process.isRunning {
            if condition() { return true }
            usleep(5_000)
        }
        return condition()
    }
}

extension TestWorkspace {
    /// Every instrument row of an SQLite vault (token, sealed record, key, clear fields), in
    /// insertion order: equal snapshots mean the vault's instruments are unchanged.
    func instrumentSnapshot(vault: String) throws -> [String] {
        let connection = try SQLiteConnection(path: path(vault), create: false, readOnly: true)
        let rows = try connection.prepare("""
            SELECT hex(token) || '|' || ifnull(hex(sealed), '') || '|' || ifnull(data_key, '') || '|' || ifnull(alias, '')
                || '|' || ifnull(deleted_at, '') FROM instruments ORDER BY id
            """)
        var out: [String] = []
        while try rows.step() { out.append(rows.text(at: 0) ?? "") }
        return out
    }
}
