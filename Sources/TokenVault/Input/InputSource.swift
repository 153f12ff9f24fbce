import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// One input file (or standard input) read as a stream of decoded bytes.
///
/// Compression is recognised from the content (the gzip magic `1f 8b`), never from the name.
/// While reading it hashes and counts the raw bytes, which the reconciliation report records.
final class InputSource {
    /// The path as the user gave it; `-` is standard input.
    let path: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var raw: [UInt8]
    private var rawStart = 0
    private var rawEnd = 0
    private var rawEOF = false
    private var inflater: GzipInflater?
    private var hasher = SHA256()
    private(set) var rawByteCount = 0
    private(set) var isGzip = false
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
    init(path: String, expectedSHA256: String? = nil, readSize: Int = 256 * 1024) throws {
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
        raw = [UInt8](repeating: 0, count: readSize)
        try fillRaw()
        if rawEnd - rawStart >= 2 && raw[rawStart] == 0x1F && raw[rawStart + 1] == 0x8B {
            isGzip = true
            inflater = try GzipInflater()
        }
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    /// The SHA-256 of every raw byte read so far, in hex; complete once `read` has returned 0.
    var sha256Hex: String {
        hasher.finalize().hexString
    }

    /// Reads decoded bytes into `buffer`.
    ///
    /// - Returns: how many were written; 0 only at the end of the input.
    /// - Throws: `inputData` for corrupt or truncated gzip, `io` for read errors.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            if rawStart == rawEnd && !rawEOF { try fillRaw() }
            guard let inflater else {
                let n = min(buffer.count, rawEnd - rawStart)
                if n == 0 { return 0 }
                raw.withUnsafeBytes { src in
                    buffer.baseAddress!.copyMemory(from: src.baseAddress! + rawStart, byteCount: n)
                }
                rawStart += n
                return n
            }
            if rawStart == rawEnd && rawEOF {
                if inflater.isAtMemberBoundary { return 0 }
                throw TokenVaultError(.inputData, "the gzip data is truncated (the file ends inside a gzip member)")
            }
            let (consumed, produced) = try raw.withUnsafeBytes { src in
                try inflater.inflate(
                    input: UnsafeRawBufferPointer(rebasing: src[rawStart..<rawEnd]), output: buffer)
            }
            rawStart += consumed
            if produced > 0 { return produced }
            if consumed == 0 && rawStart < rawEnd && !inflater.isAtMemberBoundary {
                throw TokenVaultError(.inputData, "the gzip data cannot be decoded")
            }
        }
    }

    private func fillRaw() throws {
        rawStart = 0
        rawEnd = 0
        while !rawEOF && rawEnd == 0 {
            let n = raw.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TokenVaultError(.io, "cannot read input \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                rawEOF = true
                try checkUnchanged()
            } else {
                rawEnd = n
                rawByteCount += n
                raw.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                if !firstReadDone {
                    firstReadDone = true
                    InputSource.testPauseAfterFirstRead()
                }
            }
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
                problem = after.size != identity.size ? "its size went from \(identity.size) to \(after.size) bytes" : "its modification time changed"
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
            throw TokenVaultError(.inputData, "input changed while reading (\(problem)): the rows read before are committed, the file is not complete")
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
