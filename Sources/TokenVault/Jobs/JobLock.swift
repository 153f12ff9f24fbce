import Foundation

/// An exclusive, non-blocking lock for one job (`flock(2)` on a file beside the vault).
///
/// The kernel drops it when the holder exits, however it exits: a crashed run leaves no stale
/// lock, and the next `run` takes over and resumes its work.
public final class JobLock: JobLockHolder {
    public let path: String
    private let fd: Int32

    /// Takes the lock or fails at once.
    ///
    /// - Throws: `vaultBusy` when another process holds it.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw TokenVaultError(.cannotCreateOutput, "cannot create the job lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw TokenVaultError(.vaultBusy, "the job is already running (lock \(path)\(holder.isEmpty ? "" : ", held by pid \(holder)"))")
        }
        self.fd = fd
        ftruncate(fd, 0)
        let pid = Array("\(getpid())\n".utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
