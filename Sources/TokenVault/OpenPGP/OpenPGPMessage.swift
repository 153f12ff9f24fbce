/// Recognises an OpenPGP message from its first bytes (RFC 4880 §4.2, §6.2), never from a name.
enum OpenPGPMessage {
    /// How many leading bytes `isMessage` needs to decide.
    static let sniffLength = 64

    /// True when `prefix` starts an OpenPGP message: ASCII armour (`-----BEGIN PGP MESSAGE-----`,
    /// after optional blank space) or a binary packet that can open a message.
    ///
    /// The binary test takes only the tags a message starts with (a public- or symmetric-key
    /// encrypted session key, a marker, a one-pass signature, a signature, compressed or literal
    /// data), so text (ASCII), gzip (`1f 8b`) and a UTF-8 byte-order mark (`ef bb bf`) never match.
    static func isMessage(_ prefix: UnsafeRawBufferPointer) -> Bool {
        guard let first = prefix.first else { return false }
        if first & 0x80 != 0 { return startsWithPacket(first) }
        var index = 0
        while index < prefix.count, [0x20, 0x09, 0x0D, 0x0A].contains(prefix[index]) { index += 1 }
        let armour = Array("-----BEGIN PGP MESSAGE-----".utf8)
        guard prefix.count - index >= armour.count else { return false }
        return zip(prefix[index..<(index + armour.count)], armour).allSatisfy { $0 == $1 }
    }

    private static func startsWithPacket(_ header: UInt8) -> Bool {
        // New format: 11tttttt; old format: 10ttttll.
        let tag = header & 0x40 != 0 ? header & 0x3F : (header >> 2) & 0x0F
        return [1, 2, 3, 4, 8, 10, 11].contains(tag)
    }
}
