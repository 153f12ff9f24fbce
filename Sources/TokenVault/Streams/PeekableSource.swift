/// Lets the chain builder look at a stream's first bytes before choosing its next layer,
/// then hands them on as if never read.
final class PeekableSource: ByteSource {
    private let upstream: any ByteSource
    private var prefix: [UInt8] = []
    private var offset = 0
    private var upstreamEnded = false

    init(_ upstream: any ByteSource) { self.upstream = upstream }

    /// Up to `count` leading bytes (fewer only when the stream is shorter).
    func peek(_ count: Int) throws -> [UInt8] {
        precondition(offset == 0, "peek only before the first read")
        var buffer = [UInt8](repeating: 0, count: count)
        while prefix.count < count && !upstreamEnded {
            let n = try buffer.withUnsafeMutableBytes { raw in
                try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<(count - prefix.count)]))
            }
            if n == 0 { upstreamEnded = true } else { prefix += buffer[0..<n] }
        }
        return prefix
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        if offset < prefix.count {
            let n = min(buffer.count, prefix.count - offset)
            prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
            offset += n
            if offset == prefix.count { prefix = []; offset = Int.max }
            return n
        }
        return upstreamEnded ? 0 : try upstream.read(into: buffer)
    }
}
