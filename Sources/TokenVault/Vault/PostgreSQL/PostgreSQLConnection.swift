import CPQ
import Foundation

/// One libpq connection. Owns its handle and closes it in `deinit`.
///
/// The URL goes to libpq as it is, so libpq's conventions hold (`PGPASSWORD`, `~/.pgpass`,
/// `sslmode`, `sslrootcert`, …). Values are always sent as parameters or COPY data, never
/// spliced into SQL. Not `Sendable`: a connection is used from one thread at a time.
final class PostgreSQLConnection {
    let handle: OpaquePointer
    /// Secrets of the URL, scrubbed from every message before it leaves this type.
    private let secrets: [String]

    init(url: String) throws {
        secrets = ConnectionURL.secrets(of: url)
        guard let connection = PQconnectdb(url) else {
            throw PostgreSQLError(sqlState: "08000", message: "out of memory connecting to the vault")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgreSQLError(sqlState: "08001", message: ConnectionURL.scrub(message, secrets: secrets))
        }
        handle = connection
        // Notices ("relation already exists, skipping") are not for the operator.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// Runs one or more statements that bind nothing, in one round trip.
    ///
    /// - Returns: the last statement's result.
    @discardableResult
    func execute(_ sql: String) throws -> PostgreSQLResult {
        let result = PostgreSQLResult(PQexec(handle, sql))
        try check(result)
        return result
    }

    /// Runs `sql` with text parameters (`$1`, `$2`, …; nil is NULL).
    ///
    /// - Parameter binary: results in binary format (for the writer's fixed-width columns).
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = [], binary: Bool = false) throws -> PostgreSQLResult {
        let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { for copy in copies { free(copy) } }
        let raw = copies.map { UnsafePointer($0) }
        let result = PostgreSQLResult(
            raw.withUnsafeBufferPointer { values in
                PQexecParams(handle, sql, Int32(parameters.count), nil, values.baseAddress, nil, nil, binary ? 1 : 0)
            })
        try check(result)
        return result
    }

    /// The first column of the first row as an integer (text format), nil when none or NULL.
    func integer(_ sql: String, _ parameters: [String?] = []) throws -> Int64? {
        let result = try query(sql, parameters)
        guard result.rowCount > 0, !result.isNull(0, 0) else { return nil }
        return result.int64(0, 0)
    }

    /// `COPY … FROM STDIN` with `data` (already in the COPY format the statement names).
    func copyIn(_ sql: String, data: UnsafeRawBufferPointer) throws {
        let start = PostgreSQLResult(PQexec(handle, sql))
        guard start.status == PGRES_COPY_IN else { try check(start); return }
        var offset = 0
        while offset < data.count {
            let count = min(data.count - offset, 1 << 20)
            let sent = PQputCopyData(handle, data.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self), Int32(count))
            guard sent == 1 else { break }
            offset += count
        }
        let ended = PQputCopyEnd(handle, offset == data.count ? nil : "aborted")
        var failure: PostgreSQLError?
        while let next = PQgetResult(handle) {
            let result = PostgreSQLResult(next)
            if failure == nil, let error = self.error(result) { failure = error }
        }
        if let failure { throw failure }
        guard ended == 1, offset == data.count else { throw lastError() }
    }

    /// Sends statements that bind nothing without waiting for them: the client works on while
    /// the server runs them. `finish` collects their results; nothing else may be sent before.
    func send(_ sql: String) throws {
        guard PQsendQuery(handle, sql) == 1 else { throw lastError() }
    }

    /// Waits for every result of what `send` sent.
    ///
    /// - Throws: the first statement's error (the later statements of the string did not run).
    func finish() throws {
        var failure: PostgreSQLError?
        while let next = PQgetResult(handle) {
            let result = PostgreSQLResult(next)
            if failure == nil, let error = self.error(result) { failure = error }
        }
        if let failure { throw failure }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func check(_ result: PostgreSQLResult) throws {
        if let error = error(result) { throw error }
    }

    private func error(_ result: PostgreSQLResult) -> PostgreSQLError? {
        switch result.status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_IN, PGRES_EMPTY_QUERY: return nil
        default:
            guard let raw = result.raw else { return lastError() }
            let state = PQresultErrorField(raw, Int32(UInt8(ascii: "C"))).map { String(cString: $0) } ?? "XX000"
            let message =
                PQresultErrorField(raw, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                ?? String(cString: PQerrorMessage(handle))
            return PostgreSQLError(sqlState: state, message: ConnectionURL.scrub(message, secrets: secrets))
        }
    }

    private func lastError() -> PostgreSQLError {
        let state = PQstatus(handle) == CONNECTION_OK ? "XX000" : "08006"
        return PostgreSQLError(sqlState: state, message: ConnectionURL.scrub(String(cString: PQerrorMessage(handle)), secrets: secrets))
    }
}

/// One result. Owns its `PGresult` and clears it in `deinit`.
final class PostgreSQLResult {
    let raw: OpaquePointer?

    init(_ raw: OpaquePointer?) { self.raw = raw }
    deinit { PQclear(raw) }

    var status: ExecStatusType { raw.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR }
    var rowCount: Int { raw.map { Int(PQntuples($0)) } ?? 0 }
    /// Rows an INSERT, UPDATE or DELETE touched.
    var affectedRows: Int { raw.flatMap { Int(String(cString: PQcmdTuples($0))) } ?? 0 }

    func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(raw, Int32(row), Int32(column)) == 1 }

    /// A text-format value.
    func text(_ row: Int, _ column: Int) -> String? {
        isNull(row, column) ? nil : String(cString: PQgetvalue(raw, Int32(row), Int32(column)))
    }

    /// A text-format integer.
    func int64(_ row: Int, _ column: Int) -> Int64 { text(row, column).flatMap { Int64($0) } ?? 0 }
    func int(_ row: Int, _ column: Int) -> Int { Int(int64(row, column)) }

    /// A text-format `bytea` (`\x` and hex digits), decoded.
    func bytea(_ row: Int, _ column: Int) -> [UInt8]? {
        guard !isNull(row, column) else { return nil }
        let value = UnsafeRawBufferPointer(
            start: PQgetvalue(raw, Int32(row), Int32(column)), count: Int(PQgetlength(raw, Int32(row), Int32(column))))
        return value.dropFirst(2).hexDecoded
    }

    /// A binary-format value's bytes, valid only inside `body`.
    func withBytes<R>(_ row: Int, _ column: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let pointer = PQgetvalue(raw, Int32(row), Int32(column))
        return try body(UnsafeRawBufferPointer(start: pointer, count: Int(PQgetlength(raw, Int32(row), Int32(column)))))
    }

    /// A binary-format big-endian integer of 4 or 8 bytes.
    func binaryInteger(_ row: Int, _ column: Int) -> Int64 {
        withBytes(row, column) { bytes in
            var value: Int64 = 0
            for byte in bytes { value = value << 8 | Int64(byte) }
            return bytes.count == 4 ? Int64(Int32(truncatingIfNeeded: value)) : value
        }
    }
}
