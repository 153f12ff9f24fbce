import Crypto
import Foundation

/// SHA-256 of a whole file, read in 1 MiB chunks (flat memory whatever the size).
enum FileDigest {
    /// - Returns: the lowercase hex digest and the size in bytes.
    /// - Throws: `inputMissing` when the file cannot be opened, `io` when a read fails.
    static func sha256(path: String) throws -> (hex: String, bytes: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TokenVaultError(.inputMissing, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw TokenVaultError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            total += n
        }
        return (hasher.finalize().hexString, total)
    }
}
