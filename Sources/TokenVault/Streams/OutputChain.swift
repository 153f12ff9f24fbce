/// Builds an output's chain of byte streams: (record encoder → gzip) → OpenPGP → file.
///
/// Callers write and complete it like the file itself; when outputs are encrypted the bytes
/// pass through `gpg` on their way and the file only ever holds the OpenPGP message.
final class OutputChain: ByteSink {
    let file: OutputFile
    private let head: any ByteSink

    /// The name the file gets when complete.
    var finalPath: String { file.finalPath }
    /// The name it has while written, and keeps when the run fails.
    var partialPath: String { file.partialPath }

    /// - Parameters:
    ///   - compressed: the bytes written are gzip already (so OpenPGP does not compress again).
    ///   - openPGP: the command's keys; outputs are encrypted when it names recipients.
    init(file: OutputFile, compressed: Bool, openPGP: OpenPGPSession?) throws {
        self.file = file
        var head: any ByteSink = file
        // One line per layer, outermost last.
        if let openPGP { head = try openPGP.encrypting(head, compress: !compressed) }
        self.head = head
    }

    /// The file name an output gets: `.gpg` appended when it is an OpenPGP message.
    static func path(_ path: String, openPGP: OpenPGPSession?) -> String {
        openPGP?.settings.encryptsOutput == true ? path + ".gpg" : path
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws { try head.write(bytes) }

    func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try head.write($0) } }

    /// Ends every layer and gives the file its final name.
    func finish() throws { try head.finish() }

    /// `finish`, under the name `OutputFile` uses.
    func complete() throws { try finish() }

    /// Stops every layer; the file keeps its temporary name.
    func abandon() { head.abandon() }
}
