import ArgumentParser
import Foundation
import TokenVault

/// `tokenvault keys`: status, rotation, re-encryption, rewrap; every operation audited.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Inspect and rotate the vault's keys.",
        subcommands: [Status.self, Rotate.self, Reencrypt.self, Rewrap.self])

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Data-key versions, records per version, the fingerprint key.")
        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }
        @Option var format: Format = .text
        @OptionGroup var vaultOptions: VaultOptions
        @OptionGroup var reporting: ReportingOptions

        func run() throws {
            try ExitStatus.withRecords(vaultOptions, reporting) { records in
                let status = try records.keyStatus()
                if format == .json {
                    var object: [String: Any] = [
                        "data_keys": status.dataKeys.map {
                            ["version": $0.version, "created_at": $0.createdAt, "records": $0.records, "active": $0.active]
                        },
                        "fingerprint_key": ["version": status.fingerprintKeyVersion, "created_at": status.fingerprintKeyCreatedAt],
                        "live_tokens": status.liveTokens, "deleted_tokens": status.deletedTokens,
                    ]
                    if let id = status.masterKeyID { object["master_key_id"] = id }
                    print(
                        String(
                            decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]),
                            as: UTF8.self))
                    return
                }
                if let id = status.masterKeyID {
                    print("Master key id \(id) (an identifier, not the key).")
                } else {
                    print("Master key: none given, so not checked (this command decrypts nothing).")
                }
                for key in status.dataKeys {
                    print(
                        "Data key v\(key.version)\(key.active ? " (active)" : ""), created \(key.createdAt): \(Formatting.grouped(key.records)) records"
                    )
                }
                print("Fingerprint key v\(status.fingerprintKeyVersion), created \(status.fingerprintKeyCreatedAt).")
                print("Tokens: \(Formatting.grouped(status.liveTokens)) live, \(Formatting.grouped(status.deletedTokens)) deleted.")
            }
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "A new data key for new records; with --fingerprint, a new fingerprint key (every fingerprint recomputed, tokens unchanged)."
        )
        @Flag(help: "Rotate the fingerprint (dedup) key instead of the data key.")
        var fingerprint = false
        @OptionGroup var vaultOptions: VaultOptions
        @OptionGroup var reporting: ReportingOptions

        func run() throws {
            try ExitStatus.withVault(vaultOptions, reporting) { vault, _ in
                if fingerprint {
                    let (version, records) = try vault.rotateFingerprintKey(at: Date())
                    try vault.audit(
                        command: "keys rotate --fingerprint", jobID: nil,
                        details: [("fingerprint_key", "v\(version)"), ("records", "\(records)")])
                    if !reporting.quiet {
                        print("Fingerprint key v\(version): \(Formatting.grouped(records)) fingerprints recomputed; tokens unchanged.")
                    }
                } else {
                    let version = try vault.rotateDataKey(at: Date())
                    try vault.audit(command: "keys rotate", jobID: nil, details: [("data_key", "v\(version)")])
                    if !reporting.quiet {
                        print(
                            "Data key v\(version) is active for new records; run `tokenvault keys reencrypt` to move older records to it.")
                    }
                }
            }
        }
    }

    struct Reencrypt: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal records of older data keys under the active one, in batches (resumable, safe to kill).")
        @Option(help: ArgumentHelp("Records per transaction.", visibility: .hidden)) var batchSize = 10_000
        @OptionGroup var vaultOptions: VaultOptions
        @OptionGroup var reporting: ReportingOptions

        func validate() throws { try OptionRange.check(batchSize, OptionRange.batchSize, "--batch-size") }

        func run() throws {
            try ExitStatus.withVault(vaultOptions, reporting) { vault, _ in
                let progress = reporting.showProgress
                let moved = try vault.reencrypt(batchSize: max(1, batchSize)) { done, total in
                    if progress {
                        FileHandle.standardError.write(
                            Data("\rre-encrypted \(Formatting.grouped(done)) of \(Formatting.grouped(total)) ".utf8))
                    }
                }
                if progress { FileHandle.standardError.write(Data("\n".utf8)) }
                try vault.audit(command: "keys reencrypt", jobID: nil, details: [("records", "\(moved)")])
                if !reporting.quiet { print("Re-encrypted \(Formatting.grouped(moved)) records under the active data key.") }
            }
        }
    }

    struct Rewrap: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Wrap the vault's keys under a new master key; the old master key stops working.")
        @Option(help: ArgumentHelp("File holding the new master key (base64 of 32 bytes).", valueName: "path"))
        var newMasterKeyFile: String
        @OptionGroup var vaultOptions: VaultOptions
        @OptionGroup var reporting: ReportingOptions

        func run() throws {
            let logger = reporting.makeLogger()
            try ExitStatus.run {
                let newKey = try MasterKey.read(path: newMasterKeyFile)
                let vault = try Vault.open(vaultOptions.openOptions(create: false), logger: logger)
                let oldID = vault.masterKeyIdentifier
                try vault.rewrap(newMaster: newKey)
                try vault.audit(
                    command: "keys rewrap", jobID: nil, details: [("old_master_key_id", oldID), ("new_master_key_id", newKey.identifier)])
                if !reporting.quiet {
                    print(
                        "Rewrapped under master key \(newKey.identifier); the old key (\(oldID)) no longer opens this vault. Use --master-key-file \(newMasterKeyFile) from now on."
                    )
                }
            }
        }
    }
}
