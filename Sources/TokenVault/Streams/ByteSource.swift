/// One layer of an input chain: bytes pulled by the layer after it (file → OpenPGP → gzip → records).
///
/// A layer reads from the one before it and hands on what it decodes; it never holds the whole
/// stream. Not `Sendable`: one thread drives a chain (a layer may run a helper thread inside).
protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`.
    ///
    /// - Returns: how many bytes were written; 0 only at the end of the stream.
    /// - Throws: `TokenVaultError` when the stream is damaged or cannot be read.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}
