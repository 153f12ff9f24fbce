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
