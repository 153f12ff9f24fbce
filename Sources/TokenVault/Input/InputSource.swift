/// One input file (or standard input) read as a stream of decoded bytes: the input chain
/// (file → OpenPGP → gzip, see `InputChain`) behind the one object record readers use.
///
/// Every layer is recognised from the content, never from the name. The report's SHA-256
/// and byte count are of the file as stored.
final class InputSource {
    /// The path as the user gave it; `-` is standard input.
    let path: String
    private let file: InputFile
    private let decoded: any ByteSource

    /// Opens `path` and recognises its layers from its first bytes.
    ///
    /// - Parameters:
    ///   - expectedSHA256: the hash of the file as the caller saw it, when known.
    ///   - openPGP: the command's OpenPGP keys; nil for inputs that are never encrypted.
    /// - Throws: `inputMissing` when it does not exist or cannot be opened; a layer's error
    ///   when it cannot start (a missing key for an OpenPGP message).
    init(path: String, expectedSHA256: String? = nil, openPGP: OpenPGPSession? = nil) throws {
        self.path = path
        file = try InputFile(path: path, expectedSHA256: expectedSHA256)
        decoded = try InputChain.decode(file, name: path, openPGP: openPGP)
    }

    /// The SHA-256 of every raw byte read so far, in hex; complete once `read` has returned 0.
    var sha256Hex: String { file.sha256Hex }

    /// The raw bytes read so far.
    var rawByteCount: Int { file.rawByteCount }

    /// Reads decoded bytes into `buffer`.
    ///
    /// - Returns: how many were written; 0 only at the end of the input.
    /// - Throws: `inputData` for a damaged layer (corrupt gzip, a bad OpenPGP message or
    ///   signature), `keyMissing`/`keyWrong` for OpenPGP keys, `io` for read errors.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try decoded.read(into: buffer)
    }
}
