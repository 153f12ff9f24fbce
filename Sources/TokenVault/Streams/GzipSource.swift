/// The gzip layer of an input chain: inflates what the layer before yields (RFC 1952),
/// member after member.
final class GzipSource: ByteSource {
    private let upstream: any ByteSource
    private let inflater: GzipInflater
    private var raw: [UInt8]
    private var start = 0
    private var end = 0
    private var upstreamEnded = false

    /// True when `prefix` starts with the gzip magic `1f 8b`.
    static func recognises(_ prefix: UnsafeRawBufferPointer) -> Bool {
        prefix.count >= 2 && prefix[0] == 0x1F && prefix[1] == 0x8B
    }

    init(upstream: any ByteSource, readSize: Int = 256 * 1024) throws {
        self.upstream = upstream
        inflater = try GzipInflater()
        raw = [UInt8](repeating: 0, count: readSize)
    }

    /// - Throws: `inputData` for corrupt or truncated gzip; the upstream's errors as they are.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            if start == end && !upstreamEnded {
                start = 0
                end = try raw.withUnsafeMutableBytes { try upstream.read(into: $0) }
                if end == 0 { upstreamEnded = true }
            }
            if start == end && upstreamEnded {
                if inflater.isAtMemberBoundary { return 0 }
                throw TokenVaultError(.inputData, "the gzip data is truncated (the file ends inside a gzip member)")
            }
            let (consumed, produced) = try raw.withUnsafeBytes { source in
                try inflater.inflate(input: UnsafeRawBufferPointer(rebasing: source[start..<end]), output: buffer)
            }
            start += consumed
            if produced > 0 { return produced }
            if consumed == 0 && start < end && !inflater.isAtMemberBoundary {
                throw TokenVaultError(.inputData, "the gzip data cannot be decoded")
            }
        }
    }
}
