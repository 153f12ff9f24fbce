import Foundation
import Testing

@testable import TokenVault

/// The two kinds of vault the end-to-end suites run against.
enum VaultKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgreSQL

    var testDescription: String { rawValue }

    /// The kinds to test: SQLite always; PostgreSQL when the test server is configured
    /// (`scripts/test.sh`), and always under CI, where a missing server fails the PostgreSQL cases
    /// instead of leaving them out.
    static let tested: [VaultKind] = PostgresTestServer.adminURL != nil || PostgresTestServer.required ? [.sqlite, .postgreSQL] : [.sqlite]
}

/// The throwaway PostgreSQL server `scripts/with-postgres.sh` starts for the tests.
enum PostgresTestServer {
    /// Its admin URL (`postgresql://postgres@127.0.0.1:PORT/postgres`).
    static let adminURL = ProcessInfo.processInfo.environment["TOKENVAULT_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// Under CI the PostgreSQL cases must run.
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The URL of database `name` on the server.
    static func url(database name: String) throws -> String {
        guard let admin = adminURL else {
            throw TokenVaultError(
                .usage, "TOKENVAULT_TEST_POSTGRES_URL is not set: run the tests with scripts/test.sh to include PostgreSQL")
        }
        // scheme://authority[/database][?query]
        let query = admin.firstIndex(of: "?").map { String(admin[$0...]) } ?? ""
        let withoutQuery = admin.prefix { $0 != "?" }
        let authorityStart = withoutQuery.range(of: "://")!.upperBound
        let authorityEnd = withoutQuery[authorityStart...].firstIndex(of: "/") ?? withoutQuery.endIndex
        return withoutQuery[..<authorityEnd] + "/" + name + query
    }

    static func execute(_ sql: String) throws {
        try PostgreSQLConnection(url: try url(database: "postgres")).execute(sql)
    }
}

/// Looking into a vault, and into the outputs a killed run left (SPEC §10 tests).
extension TestWorkspace {
    /// The `--vault` value for vault `name`: the file in this workspace, or a fresh database.
    func vault(_ name: String) throws -> String {
        guard vaultKind == .postgreSQL else { return name }
        if let url = databases[name] { return url }
        let database = "tv_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        try PostgresTestServer.execute("CREATE DATABASE \(database)")
        let url = try PostgresTestServer.url(database: database)
        databases[name] = url
        return url
    }

    /// Arguments with every vault name (`--vault`, `--from`, `--to`) mapped to this kind of vault.
    func vaultArguments(_ arguments: [String]) throws -> [String] {
        var out = arguments
        for index in out.indices.dropLast() where ["--vault", "--from", "--to"].contains(out[index]) && !out[index + 1].contains("://") {
            out[index + 1] = try vault(out[index + 1])
        }
        return out
    }

    func dropDatabases() {
        for url in databases.values {
            guard let name = url.split(separator: "/").last?.split(separator: "?").first else { continue }
            try? PostgresTestServer.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
    }

    /// The vault's live-token counter, read without a key through its store (nil while the
    /// vault does not exist yet or cannot be read).
    func liveTokens(vault name: String = "vault.db") -> Int? {
        guard let vault = try? vault(name) else { return nil }
        let options = VaultStoreOptions(location: VaultLocation(vaultKind == .sqlite && !vault.hasPrefix("/") ? path(vault) : vault))
        guard let type = try? options.location.storeType(), (try? type.exists(options)) == true,
            let store = try? type.openExisting(options, readOnly: true)
        else { return nil }
        return try? store.liveTokenCount()
    }

    /// Runs `sql` straight on the vault's database, behind the tool's back (to inspect what it
    /// stored or to damage it); the tables and columns named exist in both schemas.
    @discardableResult
    func vaultSQL(_ sql: String, vault name: String = "vault.db") throws -> Int64? {
        switch vaultKind {
        case .sqlite:
            let connection = try SQLiteConnection(path: path(name), create: false)
            if sql.uppercased().hasPrefix("SELECT") { return try connection.integer(sql) }
            try connection.execute(sql)
            return nil
        case .postgreSQL:
            let connection = try PostgreSQLConnection(url: try vault(name))
            if sql.uppercased().hasPrefix("SELECT") { return try connection.integer(sql) }
            try connection.execute(sql)
            return nil
        }
    }

    /// Everything the vault's storage holds, as bytes: the SQLite file (and its WAL), or a
    /// `pg_dump` of the database.
    func vaultBytes(_ name: String = "vault.db") throws -> [UInt8] {
        switch vaultKind {
        case .sqlite:
            var bytes: [UInt8] = []
            for file in [name, name + "-wal"] where FileManager.default.fileExists(atPath: path(file)) {
                bytes += [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(file))))
            }
            return bytes
        case .postgreSQL:
            let dump = Process()
            dump.executableURL = URL(fileURLWithPath: "/usr/bin/pg_dump")
            dump.arguments = ["--no-owner", "--dbname", try vault(name)]
            let out = Pipe()
            dump.standardOutput = out
            try dump.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            dump.waitUntilExit()
            guard dump.terminationStatus == 0 else { throw TokenVaultError(.io, "pg_dump failed") }
            // pg_dump marks each dump with a random `\restrict` key: not part of the data.
            let text = Array(
                String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                    .filter { !$0.hasPrefix("\\restrict") && !$0.hasPrefix("\\unrestrict") }.joined(separator: "\n").utf8)
            return Self.decodingByteaHex(text)
        }
    }

    /// A dump with every `bytea` value (`\\x` and hex digits in COPY text) turned back into its
    /// bytes, as an SQLite file holds them: scanning hex text for digit runs would find chance
    /// matches of short account numbers in random ciphertext, and hide nothing real.
    static func decodingByteaHex(_ text: [UInt8]) -> [UInt8] {
        func isHex(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            if i + 3 < text.count, text[i] == 0x5C, text[i + 1] == 0x5C, text[i + 2] == UInt8(ascii: "x") {
                var end = i + 3
                while end < text.count && isHex(text[end]) { end += 1 }
                if (end - i - 3) % 2 == 0, let bytes = text[(i + 3)..<end].hexDecoded {
                    out += bytes
                    i = end
                    continue
                }
            }
            out.append(text[i])
            i += 1
        }
        return out
    }

    /// Every token the vault holds, deleted ones included.
    func vaultTokens(_ vault: String = "vault.db") throws -> Set<String> {
        if vaultKind == .postgreSQL {
            let result = try PostgreSQLConnection(url: try self.vault(vault)).query("SELECT token::text FROM instruments")
            return Set((0..<result.rowCount).compactMap { result.text($0, 0) })
        }
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
        liveTokens(vault: vault)
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
        let rows = try connection.prepare(
            """
            SELECT hex(token) || '|' || ifnull(hex(sealed), '') || '|' || ifnull(data_key, '') || '|' || ifnull(alias, '')
                || '|' || ifnull(deleted_at, '') FROM instruments ORDER BY id
            """)
        var out: [String] = []
        while try rows.step() { out.append(rows.text(at: 0) ?? "") }
        return out
    }
}
