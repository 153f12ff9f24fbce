import Foundation
@testable import TokenVault

extension TestWorkspace {
    /// The vault's live-token counter, read without a key through the store (nil while the
    /// vault does not exist yet or cannot be read).
    func liveTokens(vault: String) -> Int? {
        let options = VaultStoreOptions(location: VaultLocation(vault))
        guard let type = try? options.location.storeType(), (try? type.exists(options)) == true,
              let store = try? type.openExisting(options, readOnly: true) else { return nil }
        return try? store.liveTokenCount()
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
