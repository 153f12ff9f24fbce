/// One layer of an output chain: bytes pushed by the layer before it (records → gzip → OpenPGP → file).
///
/// Not `Sendable`: one thread writes to a chain (a layer may run a helper thread inside).
protocol ByteSink: AnyObject {
    /// Takes `bytes`; the layer may keep them buffered until `finish`.
    func write(_ bytes: UnsafeRawBufferPointer) throws

    /// Ends the stream: writes what is buffered and any trailer, and finishes the next layer.
    func finish() throws

    /// Gives up on the stream after a failure: stops any helper and leaves the next layer unfinished.
    func abandon()
}

extension ByteSink {
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}
