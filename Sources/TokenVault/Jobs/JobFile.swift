import Foundation

/// A job file (SPEC §7): a recurring run described once, validated strictly on load.
///
/// Unknown keys are errors, so a typo (`max_reject_rte`) is never silently ignored.
public struct JobFile: Sendable, Equatable {
    public var name: String
    public var kind: InstrumentKind
    /// Glob patterns, resolved against `root`.
    public var inputs: [String]
    public var format: RecordFormat?
    public var delimiter: UInt8 = UInt8(ascii: ",")
    public var columns: [ColumnMapping] = []
    public var vault: String?
    public var masterKeyFile: String?
    public var outputDirectory: String
    public var outputFormat: RecordFormat = .csv
    public var allowExpired = false
    public var maxRejectRate: Double?
    public var archiveDirectory: String?
    /// `"dry_run": true`: every file is only looked up (SPEC §11); nothing is recorded or archived.
    public var dryRun = false
    /// `expect_rows`: the data rows each matching file must hold (SPEC §11).
    public var expectRows: Int?
    /// `keep_columns`: input columns copied into the results (SPEC §11).
    public var keepColumns: [String] = []
    /// `policy.on_existing` (SPEC §10).
    public var onExisting: ExistingPolicy = .keep
    /// OpenPGP inputs and encrypted outputs: the `pgp` object (paths resolved against `root`).
    public var openPGP = OpenPGPSettings()
    /// Create the vault when it does not exist (`"create_vault": true`); else a missing vault is 66.
    public var createVault = false
    /// Each input must have at least this many data rows, else the run fails (65).
    public var minRows: Int?
    /// With no matching input, `run` fails (66) instead of exiting 0 with a notice.
    public var requireInput = false
    /// A file is taken only once its size and mtime have been stable this long.
    public var settleSeconds: Double = 0
    /// A file `X` is taken only when its marker exists (`{file}` stands for `X`); nil takes every file.
    public var doneMarker: String?
    /// The marker pattern `"done_marker": true` means.
    public static let defaultDoneMarker = "{file}.done"
    /// The folder relative paths start from: the job file's folder's parent (the project root).
    public var root: String
    public var path: String

    /// Reads and checks a job file.
    ///
    /// - Throws: `inputMissing` when the file cannot be read; `usage` naming the file and the key
    ///   for anything wrong inside it.
    public static func load(_ path: String) throws -> JobFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TokenVaultError(.inputMissing, "cannot read job file \(path)")
        }
        func fail(_ message: String) -> TokenVaultError { TokenVaultError(.usage, "job file \(path): \(message)") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw fail("not a JSON object")
        }
        let known: Set<String> = [
            "name", "kind", "inputs", "format", "delimiter", "columns", "vault", "master_key_file",
            "output", "policy", "archive_dir", "description", "pgp", "create_vault", "dry_run",
            "expect_rows", "keep_columns",
        ]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw fail("unknown key '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        func string(_ key: String, in dict: [String: Any], prefix: String = "") throws -> String? {
            guard let value = dict[key], !(value is NSNull) else { return nil }
            guard let text = value as? String, !text.isEmpty else { throw fail("'\(prefix)\(key)' must be a non-empty string") }
            return text
        }
        func section(_ key: String, known: Set<String>) throws -> [String: Any] {
            guard let value = object[key], !(value is NSNull) else { return [:] }
            guard let dict = value as? [String: Any] else { throw fail("'\(key)' must be an object") }
            if let unknown = dict.keys.sorted().first(where: { !known.contains($0) }) {
                throw fail("unknown key '\(key).\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
            }
            return dict
        }

        guard let name = try string("name", in: object) else { throw fail("'name' is required") }
        do { try TokenizeRequest.validateJobID(name) } catch {
            throw fail("'name' must be 1–128 letters, digits, '.', '_' or '-' (it names job ids and files)")
        }
        guard let kindText = try string("kind", in: object) else { throw fail("'kind' is required") }
        guard let kind = InstrumentKind(rawValue: kindText) else { throw fail("'kind' must be card or bank-account") }
        guard let inputs = object["inputs"] as? [String], !inputs.isEmpty, inputs.allSatisfy({ !$0.isEmpty }) else {
            throw fail("'inputs' must be a non-empty list of file patterns")
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        var job = JobFile(
            name: name, kind: kind, inputs: inputs, outputDirectory: "out/\(name)",
            root: absolute.deletingLastPathComponent().deletingLastPathComponent().path, path: path)
        if let format = try string("format", in: object) {
            guard let parsed = RecordFormat(rawValue: format) else { throw fail("'format' must be \(RecordFormat.namesForMessages)") }
            job.format = parsed
        }
        if let delimiter = try string("delimiter", in: object) {
            do { job.delimiter = try CSVDelimiter.parse(delimiter) } catch let error as TokenVaultError {
                throw fail("'delimiter': \(error.message)")
            }
        }
        if let columns = object["columns"], !(columns is NSNull) {
            guard let map = columns as? [String: String] else { throw fail("'columns' must map field names to column names") }
            job.columns = map.sorted { $0.key < $1.key }.map { ColumnMapping(field: $0.key, column: $0.value) }
            do { _ = try FieldMapping(kind: kind, overrides: job.columns.map { ($0.field, $0.column) }) } catch let error as TokenVaultError
            {
                throw fail("'columns': \(error.message)")
            }
        }
        job.vault = try string("vault", in: object)
        job.masterKeyFile = try string("master_key_file", in: object)
        job.archiveDirectory = try string("archive_dir", in: object)
        if let value = object["create_vault"], !(value is NSNull) {
            guard isJSONBoolean(value), let flag = value as? Bool else { throw fail("'create_vault' must be true or false") }
            job.createVault = flag
        }
        let output = try section("output", known: ["dir", "format"])
        if let dir = try string("dir", in: output, prefix: "output.") { job.outputDirectory = dir }
        if let format = try string("format", in: output, prefix: "output.") {
            guard let parsed = RecordFormat(rawValue: format) else {
                throw fail("'output.format' must be \(RecordFormat.namesForMessages)")
            }
            job.outputFormat = parsed
        }
        if let value = object["dry_run"], !(value is NSNull) {
            guard isJSONBoolean(value), let flag = value as? Bool else { throw fail("'dry_run' must be true or false") }
            job.dryRun = flag
        }
        if let value = object["expect_rows"], !(value is NSNull) {
            guard !isJSONBoolean(value), let number = value as? NSNumber, let rows = Int(exactly: number.doubleValue),
                (0...1_000_000_000).contains(rows)
            else {
                throw fail("'expect_rows' must be a whole number from 0 to 1000000000")
            }
            job.expectRows = rows
        }
        if let value = object["keep_columns"], !(value is NSNull) {
            guard let names = value as? [String] else { throw fail("'keep_columns' must be a list of column names") }
            do { _ = try KeptColumns(names, kind: kind, mapped: job.columns) } catch let error as TokenVaultError {
                throw fail("'keep_columns': \(error.message)")
            }
            job.keepColumns = names
        }
        let policy = try section(
            "policy",
            known: [
                "allow_expired", "max_reject_rate", "min_rows", "require_input", "settle_seconds", "done_marker", "on_existing",
            ])
        if let text = try string("on_existing", in: policy, prefix: "policy.") {
            guard let parsed = ExistingPolicy(rawValue: text) else { throw fail("'policy.on_existing' must be keep or update") }
            job.onExisting = parsed
        }
        if let value = policy["allow_expired"], !(value is NSNull) {
            guard isJSONBoolean(value), let flag = value as? Bool else { throw fail("'policy.allow_expired' must be true or false") }
            job.allowExpired = flag
        }
        if let value = policy["max_reject_rate"], !(value is NSNull) {
            guard let rate = (value as? NSNumber)?.doubleValue, !isJSONBoolean(value), (0...1).contains(rate) else {
                throw fail("'policy.max_reject_rate' must be a number from 0 to 1")
            }
            job.maxRejectRate = rate
        }
        if let value = policy["min_rows"], !(value is NSNull) {
            guard !isJSONBoolean(value), let number = value as? NSNumber, let rows = Int(exactly: number.doubleValue),
                (0...1_000_000_000).contains(rows)
            else {
                throw fail("'policy.min_rows' must be a whole number from 0 to 1000000000")
            }
            job.minRows = rows
        }
        if let value = policy["require_input"], !(value is NSNull) {
            guard isJSONBoolean(value), let flag = value as? Bool else { throw fail("'policy.require_input' must be true or false") }
            job.requireInput = flag
        }
        if let value = policy["settle_seconds"], !(value is NSNull) {
            guard !isJSONBoolean(value), let seconds = (value as? NSNumber)?.doubleValue, (0...86_400).contains(seconds) else {
                throw fail("'policy.settle_seconds' must be a number of seconds from 0 to 86400")
            }
            job.settleSeconds = seconds
        }
        if let value = policy["done_marker"], !(value is NSNull) {
            if isJSONBoolean(value), let flag = value as? Bool {
                job.doneMarker = flag ? JobFile.defaultDoneMarker : nil
            } else if let pattern = value as? String, pattern.contains("{file}"), pattern != "{file}", !pattern.contains("\u{0}") {
                job.doneMarker = pattern
            } else {
                throw fail("'policy.done_marker' must be true, false or a pattern holding {file}, e.g. \"{file}.done\"")
            }
        }
        job.openPGP = try openPGPSettings(
            section("pgp", known: ["secret_key", "passphrase_file", "require_signature", "encrypt_to"]),
            resolve: job.resolve, fail: fail)
        return job
    }

    /// The `pgp` object: `secret_key`, `passphrase_file`, `require_signature`, `encrypt_to`
    /// (a list), with the command line's meanings.
    private static func openPGPSettings(
        _ pgp: [String: Any], resolve: (String) -> String, fail: (String) -> TokenVaultError
    ) throws -> OpenPGPSettings {
        func string(_ key: String) throws -> String? {
            guard let value = pgp[key], !(value is NSNull) else { return nil }
            guard let text = value as? String, !text.isEmpty else { throw fail("'pgp.\(key)' must be a non-empty string") }
            return text
        }
        var settings = OpenPGPSettings()
        settings.secretKeyFile = try string("secret_key").map(resolve)
        settings.passphraseFile = try string("passphrase_file").map(resolve)
        if let signer = try string("require_signature") {
            do { settings.requiredSigner = try OpenPGPKeyID(parsing: signer) } catch let error as TokenVaultError {
                throw fail("'pgp.require_signature': \(error.message)")
            }
        }
        if let value = pgp["encrypt_to"], !(value is NSNull) {
            guard let list = value as? [String], !list.isEmpty, list.allSatisfy({ !$0.isEmpty }) else {
                throw fail("'pgp.encrypt_to' must be a non-empty list of fingerprints or public-key files")
            }
            settings.recipients = try list.map { text in
                // A fingerprint names a key in the keyring; anything else is a file of the project.
                OpenPGPKeyID.isFingerprint(text) ? try OpenPGPRecipient(parsing: text) : .keyFile(resolve(text))
            }
        }
        return settings
    }

    /// The marker whose existence releases `file`, when the policy asks for one.
    public func marker(for file: String) -> String? {
        doneMarker.map { $0.replacingOccurrences(of: "{file}", with: file) }
    }

    /// A path of the job file, made absolute against the project root.
    public func resolve(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : URL(fileURLWithPath: root).appendingPathComponent(relative).standardizedFileURL.path
    }
}

/// JSON booleans and numbers both arrive as `NSNumber` (and `1 is Bool` holds); a boolean's
/// `objCType` is `c`.
private func isJSONBoolean(_ value: Any) -> Bool {
    guard let number = value as? NSNumber else { return false }
    return String(cString: number.objCType) == "c"
}
