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

    /// Opens `path` for reading.
    ///
    /// - Throws: `inputMissing` when it does not exist or cannot be opened.
    init(path: String) throws {
        self.path = path
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

    /// - Throws: `io` for read errors.
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
                return 0
            }
            rawByteCount += n
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            return n
        }
    }
}
