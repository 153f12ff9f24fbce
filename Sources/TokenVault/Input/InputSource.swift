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

    /// Opens `path` for reading.
    ///
    /// - Throws: `inputMissing` when it does not exist or cannot be opened.
    init(path: String, readSize: Int = 256 * 1024) throws {
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
            if n == 0 { rawEOF = true } else {
                rawEnd = n
                rawByteCount += n
                raw.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
        }
    }
}
