#if canImport(Glibc)
    import Glibc
#endif

/// The vault file a store opened, by device and inode: SQLite keeps writing to an open file
/// that was deleted or replaced, so a run would end "completed" into a file nobody can open
/// again. Writers check it before each commit and before a run is recorded (issue 11).
struct SQLiteFileIdentity: Sendable {
    let path: String
    private let device: UInt64
    private let inode: UInt64

    /// The identity of the file at `path` now; nil when it cannot be read.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.path = path
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }

    /// - Throws: `io` naming the path when the file there is gone or another one.
    func check() throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TokenVaultError(
                .io, "the vault file \(path) was deleted during the run; the work since it was opened is lost, nothing is reported complete"
            )
        }
        guard UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode else {
            throw TokenVaultError(
                .io,
                "the vault file \(path) was replaced during the run; the work since it was opened went to the old file, nothing is reported complete"
            )
        }
    }
}
