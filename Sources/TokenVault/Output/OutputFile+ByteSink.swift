/// The last layer of an output chain: the file itself.
extension OutputFile: ByteSink {
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try write(Array(bytes))
    }

    func finish() throws { try complete() }
}
