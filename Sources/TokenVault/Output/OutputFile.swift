import Foundation

/// An output file written under a temporary name and renamed when complete (SPEC §5), so
/// nothing that looks complete exists before the run is.
final class OutputFile {
    let finalPath: String
    let partialPath: String
    private var fd: Int32

    /// Creates `<path>.part`, replacing any left by an earlier attempt.
    init(path: String, mode: mode_t = 0o644) throws {
        finalPath = path
        partialPath = path + ".part"
        unlink(partialPath)
        fd = open(partialPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw TokenVaultError(.cannotCreateOutput, "cannot create \(partialPath): \(String(cString: strerror(errno)))")
        }
    }

    deinit { if fd >= 0 { close(fd) } }

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
    func complete() throws {
        guard fd >= 0 else { return }
        guard fsync(fd) == 0 else { throw TokenVaultError(.io, "cannot flush \(partialPath)") }
        close(fd)
        fd = -1
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

    /// Writes a whole small file the same way (temporary name, then rename).
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws {
        let file = try OutputFile(path: path, mode: mode)
        try file.write(bytes)
        try file.complete()
    }
}
