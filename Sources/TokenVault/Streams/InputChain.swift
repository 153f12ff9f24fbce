#if canImport(Glibc)
    import Glibc
#endif

/// Builds an input's chain of byte streams: file or stdin → OpenPGP → gzip → (record decoder).
///
/// Each layer is recognised from the content, never from the name (SPEC §3, §11): the builder
/// peeks at the bytes the chain yields so far and adds the layer that recognises them. A new
/// layer is one type and one line in `layers`.
enum InputChain {
    /// One decoding layer: how it is recognised and how it wraps the stream before it.
    private struct Layer {
        let recognises: (UnsafeRawBufferPointer) -> Bool
        let open: (any ByteSource) throws -> any ByteSource
    }

    /// True when the file at `path` starts as an OpenPGP message (standard input is not looked
    /// at). A quick look before a run, which reads the file again through its chain.
    static func isOpenPGP(path: String) -> Bool {
        guard path != "-" else { return false }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var prefix = [UInt8](repeating: 0, count: OpenPGPMessage.sniffLength)
        let n = prefix.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        guard n > 0 else { return false }
        return prefix.withUnsafeBytes { OpenPGPMessage.isMessage(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }

    /// Decodes `raw` (a file's bytes as stored).
    ///
    /// - Parameters:
    ///   - name: the input's path, naming it in messages.
    ///   - openPGP: the run's keys; nil reads no OpenPGP input (a result file, a token file
    ///     written in clear).
    /// - Throws: `inputData` when a signature is required and the input is not an OpenPGP
    ///   message; any layer's error when it cannot start.
    static func decode(_ raw: any ByteSource, name: String, openPGP: OpenPGPSession?) throws -> any ByteSource {
        var decrypted = false
        let layers = [
            Layer(recognises: OpenPGPMessage.isMessage) { upstream in
                guard let openPGP else {
                    throw TokenVaultError(.inputData, "\(name) is an OpenPGP message, which this command does not read")
                }
                decrypted = true
                return try OpenPGPDecryptor(
                    upstream: upstream, keyring: openPGP.decryptionKeyring(),
                    requiredSigner: openPGP.settings.requiredSigner)
            },
            Layer(recognises: GzipSource.recognises) { try GzipSource(upstream: $0) },
        ]
        var source = raw
        for layer in layers {
            let peekable = PeekableSource(source)
            let prefix = try peekable.peek(OpenPGPMessage.sniffLength)
            source = try prefix.withUnsafeBytes(layer.recognises) ? layer.open(peekable) : peekable
        }
        if let signer = openPGP?.settings.requiredSigner, !decrypted {
            throw TokenVaultError(.inputData, "\(name) is not an OpenPGP message; a signature by \(signer) is required")
        }
        return source
    }
}
