/// The SQLite vault's schema, as numbered migrations; `PRAGMA user_version` records how far a file is.
///
/// Append a migration for every change; never edit a released one.
enum SQLiteSchema {
    struct Migration {
        let version: Int
        let sql: String
    }

    static var latestVersion: Int { migrations.last!.version }

    static let migrations: [Migration] = [
        Migration(
            version: 1,
            sql: """
                CREATE TABLE vault_meta (
                    key   TEXT PRIMARY KEY,
                    value TEXT NOT NULL
                ) WITHOUT ROWID;

                -- Data keys seal records; fingerprint keys key the dedup HMAC. Both are stored only
                -- wrapped (AES-256-GCM) under the master key, which is never stored here.
                CREATE TABLE data_keys (
                    version    INTEGER PRIMARY KEY,
                    wrapped    BLOB NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE fingerprint_keys (
                    version    INTEGER PRIMARY KEY,
                    wrapped    BLOB NOT NULL,
                    created_at TEXT NOT NULL
                );

                CREATE TABLE runs (
                    id            INTEGER PRIMARY KEY,
                    job_id        TEXT NOT NULL UNIQUE,
                    kind          TEXT NOT NULL,
                    status        TEXT NOT NULL,          -- running | completed | failed
                    started_at    TEXT NOT NULL,
                    finished_at   TEXT,
                    tokens_before INTEGER NOT NULL,
                    tokens_after  INTEGER,
                    report        TEXT                    -- the reconciliation report, JSON
                );
                CREATE TABLE run_inputs (
                    run_id   INTEGER NOT NULL REFERENCES runs(id),
                    position INTEGER NOT NULL,
                    path     TEXT NOT NULL,
                    sha256   TEXT NOT NULL,
                    bytes    INTEGER NOT NULL,
                    rows     INTEGER NOT NULL,
                    PRIMARY KEY (run_id, position)
                ) WITHOUT ROWID;
                CREATE INDEX run_inputs_sha256 ON run_inputs(sha256);

                -- One row per instrument. Only the alias (masked), brand or country, BIN, bank code
                -- and last 4 are clear; the number, expiry and holder are in `sealed`.
                -- The two lookup keys lead with their first 8 bytes as an integer: SQLite compares index
                -- entries through its integer fast path, and the full value keeps each key unique.
                CREATE TABLE instruments (
                    id              INTEGER PRIMARY KEY,
                    token_prefix    INTEGER NOT NULL,
                    token           BLOB NOT NULL,        -- 16 bytes, UUID v4
                    kind            INTEGER NOT NULL,     -- 1 card, 2 bank account
                    fingerprint_prefix INTEGER,
                    fingerprint     BLOB,                 -- HMAC-SHA256; both NULL once deleted
                    fingerprint_key INTEGER,
                    data_key        INTEGER,
                    sealed          BLOB,                 -- nonce || ciphertext || tag; NULL once deleted
                    alias           TEXT,
                    brand           TEXT,
                    country         TEXT,
                    bin             TEXT,
                    bank_code       TEXT,
                    last4           TEXT,
                    metadata        TEXT,                 -- clear, non-secret metadata (JSON)
                    created_run     INTEGER NOT NULL,
                    created_input   INTEGER NOT NULL,
                    created_row     INTEGER NOT NULL,
                    deleted_at      TEXT,
                    delete_reason   TEXT
                );
                CREATE UNIQUE INDEX instruments_token ON instruments(token_prefix, token);
                CREATE UNIQUE INDEX instruments_fingerprint ON instruments(fingerprint_prefix, fingerprint);

                CREATE TABLE audit (
                    id       INTEGER PRIMARY KEY,
                    at       TEXT NOT NULL,
                    os_user  TEXT NOT NULL,
                    host     TEXT NOT NULL,
                    command  TEXT NOT NULL,
                    job_id   TEXT,
                    details  TEXT NOT NULL               -- JSON counts; never a number or key
                );
                """),
        // v2 (SPEC §8): the two lookups leave `instruments`, which now only appends (time-ordered
        // ids, no secondary index). Each lives in its own table keyed by the lookup value, which
        // the writer fills once per transaction in key order. `instruments` keeps its token and
        // fingerprint columns: tombstones, rotation and the writer's filter read them there.
        Migration(
            version: 2,
            sql: """
                CREATE TABLE fingerprints (
                    fingerprint_prefix INTEGER NOT NULL,
                    fingerprint        BLOB NOT NULL,     -- live records only; deleted with the record's data
                    id                 INTEGER NOT NULL,  -- instruments.id
                    PRIMARY KEY (fingerprint_prefix, fingerprint)
                ) WITHOUT ROWID;
                CREATE TABLE tokens (
                    token_prefix INTEGER NOT NULL,
                    token        BLOB NOT NULL,           -- every record, tombstones included
                    id           INTEGER NOT NULL,        -- instruments.id
                    PRIMARY KEY (token_prefix, token)
                ) WITHOUT ROWID;
                INSERT INTO fingerprints(fingerprint_prefix, fingerprint, id)
                    SELECT fingerprint_prefix, fingerprint, id FROM instruments
                    WHERE fingerprint IS NOT NULL ORDER BY fingerprint_prefix, fingerprint;
                INSERT INTO tokens(token_prefix, token, id)
                    SELECT token_prefix, token, id FROM instruments ORDER BY token_prefix, token;
                DROP INDEX instruments_fingerprint;
                DROP INDEX instruments_token;
                """),
    ]
}
