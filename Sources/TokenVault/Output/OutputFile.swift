import Foundation

/// An output file written under a temporary name and renamed when complete (SPEC §5, §10), so
/// nothing that looks complete exists before the run is.
///
/// Every output goes through this type (results, errors, reports, detokenize files, samples):
/// the temporary `<path>.part` is created with `O_CREAT | O_EXCL | O_NOFOLLOW` and mode 0600, so
/// a symlink planted in the output folder is never followed, not even one planted between a
/// check and the open; a symlink at the temporary or the final path is refused (73).
final class OutputFile {
    let finalPath: String
    let partialPath: String
    private var fd: Int32

    /// Creates `<path>.part`, replacing a regular file left by an earlier attempt.
    ///
    /// - Throws: `usage` for a file named `-` (standard output is never a file); `cannotCreateOutput`
    ///   for a symlink at either path, a folder at the final path, or when the file cannot be created.
    init(path: String, mode: mode_t = 0o600) throws {
        try OutputFile.checkTarget(path)
        finalPath = path
        partialPath = path + ".part"
        // A stale temporary file from an earlier attempt is replaced; a symlink there is an attack.
        if try OutputFile.kind(of: partialPath) == .regular { unlink(partialPath) }
        fd = open(partialPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let reason =
                errno == EEXIST || errno == ELOOP
                ? "something else appeared at this path (never followed)" : String(cString: strerror(errno))
            throw TokenVaultError(.cannotCreateOutput, "cannot create \(partialPath): \(reason)")
        }
        // The mode is exact whatever the umask.
        fchmod(fd, mode)
    }

    deinit { if fd >= 0 { close(fd) } }

    private enum Kind { case absent, regular, other }

    /// What is at `path`, without following a symlink.
    ///
    /// - Throws: `cannotCreateOutput` for a symlink.
    private static func kind(of path: String) throws -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .absent }
        switch info.st_mode & S_IFMT {
        case S_IFLNK:
            throw TokenVaultError(.cannotCreateOutput, "refusing to write \(path): it is a symbolic link (outputs never follow links)")
        case S_IFREG: return .regular
        default: return .other
        }
    }

    /// Refuses a target that must not be written: `-`, a symlink, a folder.
    static func checkTarget(_ path: String) throws {
        guard (path as NSString).lastPathComponent != "-" else {
            throw TokenVaultError(.usage, "'-' is standard output, never a file name: no file named '-' is created")
        }
        if try kind(of: path) == .other {
            throw TokenVaultError(.cannotCreateOutput, "cannot write \(path): something other than a file is there")
        }
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TokenVaultError(.io, "cannot write \(partialPath): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Flushes to disk and gives the file its final name.
    ///
    /// - Throws: `cannotCreateOutput` when a symlink was planted at the final path meanwhile.
    func complete() throws {
        guard fd >= 0 else { return }
        guard fsync(fd) == 0 else { throw TokenVaultError(.io, "cannot flush \(partialPath)") }
        // The temporary name must still be the file written: one swapped for a link is not renamed into place.
        var written = stat(), named = stat()
        let same =
            fstat(fd, &written) == 0 && lstat(partialPath, &named) == 0
            && written.st_ino == named.st_ino && written.st_dev == named.st_dev
        close(fd)
        fd = -1
        guard same else {
            throw TokenVaultError(
                .cannotCreateOutput, "refusing to complete \(finalPath): \(partialPath) was replaced while it was written")
        }
        // rename(2) replaces a link rather than following it; refusing it still tells the operator.
        try OutputFile.checkTarget(finalPath)
        guard rename(partialPath, finalPath) == 0 else {
            throw TokenVaultError(.io, "cannot rename \(partialPath) to \(finalPath): \(String(cString: strerror(errno)))")
        }
    }

    /// Closes the file under its temporary name: what a failed run leaves.
    func abandon() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    /// Closes and removes the temporary file: nothing was written that anyone needs.
    func discard() {
        abandon()
        unlink(partialPath)
    }

    /// Writes a whole small file the same way (temporary name, then rename).
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws {
        let file = try OutputFile(path: path, mode: mode)
        try file.write(bytes)
        try file.complete()
    }
}
