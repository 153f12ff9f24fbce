@testable import TokenVault

/// A byte source over bytes in memory; counts what has been read, and can fail on purpose.
final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private let failAt: Int?
    private(set) var position = 0

    init(_ bytes: [UInt8], failAt: Int? = nil) {
        self.bytes = bytes
        self.failAt = failAt
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let failAt, position >= failAt { throw TokenVaultError(.io, "test source failed on purpose") }
        let end = min(bytes.count, position + buffer.count, failAt ?? Int.max)
        let n = end - position
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position = end
        return n
    }
}

/// A byte sink that keeps everything in memory.
final class MemorySink: ByteSink {
    private(set) var bytes: [UInt8] = []
    private(set) var finished = false
    private(set) var abandoned = false

    func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
    func finish() throws { finished = true }
    func abandon() { abandoned = true }
}

extension ByteSource {
    /// Reads to the end.
    func readAll(chunk: Int = 4096) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }
}
