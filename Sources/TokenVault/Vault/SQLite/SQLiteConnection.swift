import CSQLite

/// One sqlite3 connection. Owns its handle and closes it in `deinit`.
///
/// Not `Sendable`: a connection is used from one thread at a time, by whoever owns it.
final class SQLiteConnection {
    let handle: OpaquePointer

    /// Opens (or creates) the database at `path`; `readOnly` never writes the file.
    init(path: String, create: Bool = true, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 10_000) throws {
        var db: OpaquePointer?
        var flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX
        if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteError(resultCode: status, message: message)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements that bind nothing.
    func execute(_ sql: String) throws {
        let status = sqlite3_exec(handle, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw lastError(status) }
    }

    func prepare(_ sql: String) throws -> SQLiteStatement {
        try SQLiteStatement(connection: self, sql: sql)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws
    /// (keeping the first error), as GRDB's `inTransaction`.
    func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The first column of the first row of `sql`, as an integer.
    func integer(_ sql: String, _ arguments: SQLiteValue...) throws -> Int64? {
        let statement = try prepare(sql)
        for (index, value) in arguments.enumerated() { try statement.bind(value, at: Int32(index + 1)) }
        guard try statement.step() else { return nil }
        return statement.isNull(at: 0) ? nil : statement.int64(at: 0)
    }

    /// Runs `sql` once with `arguments`.
    func run(_ sql: String, _ arguments: SQLiteValue...) throws {
        let statement = try prepare(sql)
        for (index, value) in arguments.enumerated() { try statement.bind(value, at: Int32(index + 1)) }
        _ = try statement.step()
    }

    var changes: Int { Int(sqlite3_changes(handle)) }
    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    func lastError(_ status: Int32) -> SQLiteError {
        SQLiteError(resultCode: status, message: String(cString: sqlite3_errmsg(handle)))
    }
}

/// A value to bind, for the convenience paths (the hot insert binds directly).
enum SQLiteValue {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    case null

    static func int(_ value: Int) -> SQLiteValue { .integer(Int64(value)) }
    static func optionalText(_ value: String?) -> SQLiteValue { value.map { .text($0) } ?? .null }
}
