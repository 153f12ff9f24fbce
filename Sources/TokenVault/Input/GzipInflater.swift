import CZlib

/// A zlib inflate stream that reads gzip, member after member (RFC 1952 §2.2).
///
/// Owns its `z_stream` and ends it in `deinit`. Not `Sendable`: one reader thread drives it.
final class GzipInflater {
    private var stream = z_stream()
    private var memberEnded = false
    /// Set once zero padding after the last member began: only more zeros may follow.
    private var inPadding = false

    init() throws {
        let status = czlib_inflate_init_gzip(&stream)
        guard status == Z_OK else {
            throw TokenVaultError(.io, "cannot start the gzip decoder (zlib status \(status))")
        }
    }

    deinit { inflateEnd(&stream) }

    /// True when the last call ended a gzip member and no byte of a next one has been read.
    var isAtMemberBoundary: Bool { memberEnded }

    /// Decodes from `input` into `output`.
    ///
    /// - Returns: the bytes of `input` consumed and of `output` produced.
    /// - Throws: `inputData` when the stream is not valid gzip.
    func inflate(
        input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer
    ) throws -> (consumed: Int, produced: Int) {
        if memberEnded {
            // Another member follows: it must start with the gzip magic, or it is trailing garbage.
            // Zero bytes after the last member (tape and block padding) are ignored, as gzip(1) does.
            guard input.count >= 1 else { return (0, 0) }
            if input[0] == 0 || inPadding {
                inPadding = true
                guard input.allSatisfy({ $0 == 0 }) else {
                    throw TokenVaultError(.inputData, "data after the end of the gzip stream's zero padding")
                }
                return (input.count, 0)
            }
            guard input[0] == 0x1F else {
                throw TokenVaultError(.inputData, "data after the end of the gzip stream is not gzip")
            }
            inflateReset(&stream)
            memberEnded = false
        }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        stream.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(output.count)
        let status = CZlib.inflate(&stream, Z_NO_FLUSH)
        let consumed = input.count - Int(stream.avail_in)
        let produced = output.count - Int(stream.avail_out)
        switch status {
        case Z_OK, Z_BUF_ERROR:
            break
        case Z_STREAM_END:
            memberEnded = true
        case Z_DATA_ERROR:
            throw TokenVaultError(.inputData, "the gzip data is corrupt")
        case Z_MEM_ERROR:
            throw TokenVaultError(.io, "out of memory while decoding gzip")
        default:
            throw TokenVaultError(.inputData, "the gzip data cannot be decoded (zlib status \(status))")
        }
        return (consumed, produced)
    }
}
