import CSQLite

/// A prepared statement, reused across rows. Owns its handle and finalizes it in `deinit`.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let connection: SQLiteConnection

    init(connection: SQLiteConnection, sql: String) throws {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw connection.lastError(status) }
        handle = statement
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Steps once: true when a row is ready, false when done.
    @discardableResult
    func step() throws -> Bool {
        let status = sqlite3_step(handle)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.lastError(status)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Resets for the next use; bindings are kept until rebound.
    func reset() {
        sqlite3_reset(handle)
    }

    func bind(_ value: SQLiteValue, at index: Int32) throws {
        switch value {
        case .integer(let v): bind(v, at: index)
        case .text(let v): bind(v, at: index)
        case .blob(let v): v.withUnsafeBytes { bindTransient($0, at: index) }
        case .null: bindNull(at: index)
        }
    }

    func bind(_ value: Int64, at index: Int32) { sqlite3_bind_int64(handle, index, value) }
    func bind(_ value: Int, at index: Int32) { sqlite3_bind_int64(handle, index, Int64(value)) }
    func bind(_ value: String, at index: Int32) {
        sqlite3_bind_text(handle, index, value, -1, csqlite_transient())
    }
    func bind(_ value: String?, at index: Int32) {
        if let value { bind(value, at: index) } else { bindNull(at: index) }
    }
    func bindNull(at index: Int32) { sqlite3_bind_null(handle, index) }

    /// Binds bytes that stay valid until the next `step` returns (the caller's buffer).
    func bindStatic(_ bytes: UnsafeRawBufferPointer, at index: Int32) {
        sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), nil)
    }

    /// Binds UTF-8 text from `range` of `bytes`, valid until the next `step` returns.
    func bindStaticText(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, at index: Int32) {
        // A nil pointer would bind NULL: an empty string needs a real one.
        let pointer = range.isEmpty ? UnsafeRawPointer(("" as StaticString).utf8Start) : bytes.baseAddress!.advanced(by: range.lowerBound)
        sqlite3_bind_text(handle, index, pointer.assumingMemoryBound(to: CChar.self), Int32(range.count), nil)
    }

    /// Binds a copy of `bytes`.
    func bindTransient(_ bytes: UnsafeRawBufferPointer, at index: Int32) {
        sqlite3_bind_blob(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), csqlite_transient())
    }

    func isNull(at column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func int64(at column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func int(at column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }

    func text(at column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: pointer)
    }

    func blob(at column: Int32) -> [UInt8]? {
        guard let pointer = sqlite3_column_blob(handle, column) else { return isNull(at: column) ? nil : [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Calls `body` with the column's bytes, valid only inside it.
    func withBlob<R>(at column: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }
}
