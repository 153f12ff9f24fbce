import Crypto

#if canImport(Glibc)
    import Glibc
#endif

/// The first layer of an input chain: a file's (or standard input's) bytes as stored.
///
/// While reading it hashes and counts them: the reconciliation report records the SHA-256 of
/// the file as delivered, whatever layers (OpenPGP, gzip) it holds.
final class InputFile: ByteSource {
    /// The path as the user gave it; `-` is standard input.
    let path: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var hasher = SHA256()
    private(set) var rawByteCount = 0
    private var ended = false
    /// The file as opened (nil for standard input and other streams), compared at the end.
    private var identity: FileIdentity?
    /// The SHA-256 a caller computed before (a job hashes first), which the bytes read must match.
    private let expectedSHA256: String?
    private var firstReadDone = false

    /// What must not change while a file is read: where it is (device, inode), its size and mtime.
    private struct FileIdentity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int

        init(_ info: stat) {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modifiedSeconds = Int(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
        }
    }

    /// Opens `path` for reading.
    ///
    /// - Parameter expectedSHA256: the hash of the file as the caller saw it, when known.
    /// - Throws: `inputMissing` when it does not exist or cannot be opened.
    init(path: String, expectedSHA256: String? = nil) throws {
        self.path = path
        self.expectedSHA256 = expectedSHA256
        if path == "-" {
            fd = STDIN_FILENO
            ownsDescriptor = false
        } else {
            let opened = open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else {
                let reason = String(cString: strerror(errno))
                throw TokenVaultError(.inputMissing, "cannot open input \(path): \(reason)")
            }
            var info = stat()
            if fstat(opened, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                close(opened)
                throw TokenVaultError(.inputMissing, "input \(path) is a folder, not a file")
            }
            if (info.st_mode & S_IFMT) == S_IFREG { identity = FileIdentity(info) }
            fd = opened
            ownsDescriptor = true
        }
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    /// The SHA-256 of every byte read so far, in hex; complete once `read` has returned 0.
    var sha256Hex: String {
        hasher.finalize().hexString
    }

    /// - Throws: `io` for read errors; `inputData` at the end when the file changed while read.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0, !ended else { return 0 }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw TokenVaultError(.io, "cannot read input \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                ended = true
                try checkUnchanged()
                return 0
            }
            rawByteCount += n
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            if !firstReadDone {
                firstReadDone = true
                InputFile.testPauseAfterFirstRead()
            }
            return n
        }
    }

    /// At the end of a file: the same file (device and inode, also under its path), the same size
    /// and mtime as when opened, as many bytes read as it holds, and the hash the caller computed
    /// first. A file that grew, shrank or was replaced while read fails (SPEC §10): reporting it
    /// complete would misreport the rows it really holds.
    ///
    /// - Throws: `inputData` ("input changed while reading").
    private func checkUnchanged() throws {
        var problem: String?
        if let identity {
            var now = stat()
            var atPath = stat()
            if fstat(fd, &now) != 0 {
                problem = "it can no longer be examined"
            } else if FileIdentity(now) != identity {
                let after = FileIdentity(now)
                problem =
                    after.size != identity.size
                    ? "its size went from \(identity.size) to \(after.size) bytes" : "its modification time changed"
            } else if Int64(rawByteCount) != identity.size {
                problem = "\(rawByteCount) bytes were read of the \(identity.size) it had"
            } else if stat(path, &atPath) != 0 || UInt64(atPath.st_ino) != identity.inode || UInt64(atPath.st_dev) != identity.device {
                problem = "another file replaced it"
            }
        }
        if problem == nil, let expectedSHA256, sha256Hex != expectedSHA256 {
            problem = "its SHA-256 differs from the one computed before the run"
        }
        if let problem {
            throw TokenVaultError(
                .inputData, "input changed while reading (\(problem)): the rows read before are committed, the file is not complete")
        }
    }

    /// A test seam (end-to-end tests of files changing mid-read, without timing): with
    /// `TOKENVAULT_TEST_PAUSE_AFTER_FIRST_READ=FLAG`, the first read of each input creates the
    /// file FLAG and waits (at most 60 s) until the test removes it. Unset in production.
    private static func testPauseAfterFirstRead() {
        guard let flag = getenv("TOKENVAULT_TEST_PAUSE_AFTER_FIRST_READ").map({ String(cString: $0) }), !flag.isEmpty else { return }
        let fd = open(flag, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        close(fd)
        var waited = 0
        while access(flag, F_OK) == 0 && waited < 6000 {
            usleep(10_000)
            waited += 1
        }
    }
}
