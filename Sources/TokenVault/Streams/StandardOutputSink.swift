import Foundation

/// The last layer of an output chain that ends on standard output (`detokenize --stdout`).
final class StandardOutputSink: ByteSink {
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw TokenVaultError(.io, "cannot write to standard output: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    func finish() throws {}

    func abandon() {}
}
