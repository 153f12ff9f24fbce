import Foundation
import Testing

@testable import TokenVault

@Suite struct OpenPGPEncryptorTests {
    let keys = OpenPGPTestKeys.shared
    let clear = Array(String(repeating: "4111111111111111,Jane Doe,12/30\n", count: 10_000).utf8)

    func encrypt(_ bytes: [UInt8], to recipients: [OpenPGPRecipient], compress: Bool = true) throws -> [UInt8] {
        let keyring = try OpenPGPKeyring(settings: OpenPGPSettings(), home: keys.home)
        let sink = MemorySink()
        let encryptor = try OpenPGPEncryptor(downstream: sink, keyring: keyring, recipients: recipients, compress: compress)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + 10_000)
            try encryptor.write(Array(bytes[offset..<end]))
            offset = end
        }
        try encryptor.finish()
        #expect(sink.finished)
        return sink.bytes
    }

    /// Each recipient alone decrypts the message: one from the keyring, one from a key file.
    @Test func eachRecipientDecryptsTheMessage() throws {
        let message = try encrypt(clear, to: [.fingerprint(OpenPGPKeyID(parsing: keys.rsa)), .keyFile(keys.file("curve.pub.asc"))])
        #expect(!message.contains(0x34) || !String(decoding: message, as: UTF8.self).contains("4111111111111111"))
        let rsaOnly = try OpenPGPKeyring(settings: OpenPGPSettings(secretKeyFile: keys.file("rsa.sec")))
        let viaRSA = try OpenPGPDecryptor(upstream: MemorySource(message), keyring: rsaOnly, requiredSigner: nil)
        #expect(try viaRSA.readAll() == clear)
        let curveOnly = try OpenPGPKeyring(settings: OpenPGPSettings(secretKeyFile: keys.file("curve.sec")))
        let viaCurve = try OpenPGPDecryptor(upstream: MemorySource(message), keyring: curveOnly, requiredSigner: nil)
        #expect(try viaCurve.readAll() == clear)
    }

    @Test func uncompressedOutputDecryptsWithGnuPG() throws {
        let message = try encrypt(clear, to: [.fingerprint(OpenPGPKeyID(parsing: keys.curve))], compress: false)
        #expect(message.count > clear.count)
        #expect(try keys.decrypt(message) == clear)
    }

    @Test func anUnknownFingerprintIsAMissingKey() throws {
        let error = #expect(throws: TokenVaultError.self) {
            try encrypt(clear, to: [.fingerprint(OpenPGPKeyID(parsing: String(repeating: "AB", count: 20)))])
        }
        #expect(error?.code == .keyMissing)
    }

    @Test func aFileWithoutAKeyIsAMissingKey() throws {
        let path = NSTemporaryDirectory() + "/tv-notakey-\(UUID().uuidString.prefix(8))"
        try Data("not a key\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        for recipient in [OpenPGPRecipient.keyFile(path), .keyFile(path + ".missing")] {
            let error = #expect(throws: TokenVaultError.self) { try encrypt(clear, to: [recipient]) }
            #expect(error?.code == .keyMissing)
        }
    }

    @Test func anAbandonedStreamLeavesTheNextLayerUnfinished() throws {
        let keyring = try OpenPGPKeyring(settings: OpenPGPSettings(), home: keys.home)
        let sink = MemorySink()
        let encryptor = try OpenPGPEncryptor(
            downstream: sink, keyring: keyring, recipients: [.keyFile(keys.file("rsa.pub.asc"))], compress: true)
        try encryptor.write(clear)
        encryptor.abandon()
        #expect(sink.abandoned && !sink.finished)
    }

    @Test(arguments: ["0x" + String(repeating: "a", count: 40), String(repeating: "ABCD ", count: 10)])
    func fingerprintsAreKeysInTheKeyring(text: String) throws {
        guard case .fingerprint = try OpenPGPRecipient(parsing: text) else { Issue.record("not a fingerprint"); return }
        guard case .keyFile = try OpenPGPRecipient(parsing: "partner.asc") else { Issue.record("not a file"); return }
        #expect(throws: TokenVaultError.self) { try OpenPGPKeyID(parsing: "DEADBEEF") }
    }
}
