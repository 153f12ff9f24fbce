import Foundation
import Testing

@testable import TokenVault

@Suite struct OpenPGPDecryptorTests {
    let keys = OpenPGPTestKeys.shared
    let clear = Array("card_number,expiry_date\n4111111111111111,12/30\n5555555555554444,01/31\n".utf8)

    /// The user's keyring: the test home, which holds every test key.
    func userKeyring(_ settings: OpenPGPSettings = OpenPGPSettings()) throws -> OpenPGPKeyring {
        try OpenPGPKeyring(settings: settings, home: keys.home)
    }

    func decrypt(_ message: [UInt8], keyring: OpenPGPKeyring, signer: OpenPGPKeyID? = nil) throws -> [UInt8] {
        let decryptor = try OpenPGPDecryptor(upstream: MemorySource(message), keyring: keyring, requiredSigner: signer)
        return try decryptor.readAll()
    }

    enum Key: String, CaseIterable { case rsa, curve }

    func fingerprint(_ key: Key) -> String { key == .rsa ? keys.rsa : keys.curve }

    @Test(arguments: Key.allCases, [false, true])
    func decryptsBinaryAndArmouredMessages(key: Key, armor: Bool) throws {
        let message = try keys.encrypt(clear, to: [fingerprint(key)], armor: armor)
        #expect(message.withUnsafeBytes(OpenPGPMessage.isMessage))
        #expect(try decrypt(message, keyring: userKeyring()) == clear)
    }

    @Test(arguments: Key.allCases)
    func requiredSignatureByFingerprintOrLongKeyID(signer: Key) throws {
        let message = try keys.encrypt(clear, to: [keys.curve], signer: fingerprint(signer))
        let full = try OpenPGPKeyID(parsing: fingerprint(signer))
        let long = try OpenPGPKeyID(parsing: "0x" + String(fingerprint(signer).suffix(16)).lowercased())
        #expect(try decrypt(message, keyring: userKeyring(), signer: full) == clear)
        #expect(try decrypt(message, keyring: userKeyring(), signer: long) == clear)
    }

    @Test func anUnsignedMessageFailsARequiredSignature() throws {
        let message = try keys.encrypt(clear, to: [keys.curve])
        let error = #expect(throws: TokenVaultError.self) {
            try decrypt(message, keyring: userKeyring(), signer: OpenPGPKeyID(parsing: keys.rsa))
        }
        #expect(error?.code == .inputData)
        #expect(error?.message.contains("not signed") == true)
    }

    @Test func aSignatureByAnotherKeyFailsARequiredSignature() throws {
        let message = try keys.encrypt(clear, to: [keys.curve], signer: keys.curve)
        let error = #expect(throws: TokenVaultError.self) {
            try decrypt(message, keyring: userKeyring(), signer: OpenPGPKeyID(parsing: keys.rsa))
        }
        #expect(error?.code == .inputData)
    }

    @Test func aMissingSecretKeyIsAKeyError() throws {
        // A keyring holding only the RSA secret key, for a message to the Curve25519 key.
        let message = try keys.encrypt(clear, to: [keys.curve])
        let keyring = try OpenPGPKeyring(settings: OpenPGPSettings(secretKeyFile: keys.file("rsa.sec")))
        let error = #expect(throws: TokenVaultError.self) { try decrypt(message, keyring: keyring) }
        #expect(error?.code == .keyMissing)
    }

    @Test func anImportedProtectedKeyDecryptsWithItsPassphrase() throws {
        let message = try keys.encrypt(clear, to: [keys.protected], armor: true)
        let keyring = try OpenPGPKeyring(
            settings: OpenPGPSettings(
                secretKeyFile: keys.file("protected.sec.asc"), passphraseFile: keys.file("passphrase")))
        let home = try #require(keyring.home)
        #expect(try decrypt(message, keyring: keyring) == clear)
        keyring.close()
        #expect(!FileManager.default.fileExists(atPath: home))
    }

    /// The imported secret key leaves the disk with its temporary keyring, every time.
    @Test func temporaryKeyringsAreRemovedWhole() throws {
        let message = try keys.encrypt(clear, to: [keys.rsa])
        for _ in 0..<5 {
            let keyring = try OpenPGPKeyring(settings: OpenPGPSettings(secretKeyFile: keys.file("rsa.sec")))
            let home = try #require(keyring.home)
            #expect(try decrypt(message, keyring: keyring) == clear)
            keyring.close()
            #expect(!FileManager.default.fileExists(atPath: home))
        }
    }

    @Test func aWrongPassphraseIsAWrongKey() throws {
        let message = try keys.encrypt(clear, to: [keys.protected])
        let wrong = try writeSecretFile("wrong horse\n")
        defer { unlink(wrong) }
        let keyring = try OpenPGPKeyring(
            settings: OpenPGPSettings(
                secretKeyFile: keys.file("protected.sec.asc"), passphraseFile: wrong))
        let error = #expect(throws: TokenVaultError.self) { try decrypt(message, keyring: keyring) }
        #expect(error?.code == .keyWrong)
        #expect(error?.message.contains("horse") == false)
    }

    @Test func aProtectedKeyWithoutAPassphraseIsAMissingKey() throws {
        let message = try keys.encrypt(clear, to: [keys.protected])
        let keyring = try OpenPGPKeyring(settings: OpenPGPSettings(secretKeyFile: keys.file("protected.sec.asc")))
        let error = #expect(throws: TokenVaultError.self) { try decrypt(message, keyring: keyring) }
        #expect(error?.code == .keyMissing)
    }

    @Test func keyFilesReadableByOthersAreRefused() throws {
        let open = try writeSecretFile(OpenPGPTestKeys.passphrase, mode: 0o644)
        defer { unlink(open) }
        let error = #expect(throws: TokenVaultError.self) {
            try OpenPGPKeyring(settings: OpenPGPSettings(secretKeyFile: keys.file("protected.sec.asc"), passphraseFile: open))
        }
        #expect(error?.code == .keyWrong)
        #expect(error?.message.contains("644") == true)
    }

    @Test(arguments: [0.5, 0.9, 0.999])
    func aTruncatedMessageIsAnInputError(kept: Double) throws {
        let message = try keys.encrypt(Array(repeating: clear, count: 500).flatMap { $0 }, to: [keys.curve])
        let truncated = Array(message.prefix(Int(Double(message.count) * kept)))
        let error = #expect(throws: TokenVaultError.self) { try decrypt(truncated, keyring: userKeyring()) }
        #expect(error?.code == .inputData)
    }

    @Test func aChangedByteFailsTheIntegrityCheck() throws {
        var message = try keys.encrypt(Array(repeating: clear, count: 500).flatMap { $0 }, to: [keys.rsa])
        message[message.count - 40] ^= 0x01
        let error = #expect(throws: TokenVaultError.self) { try decrypt(message, keyring: userKeyring()) }
        #expect(error?.code == .inputData)
    }

    @Test func theUpstreamErrorIsTheOneReported() throws {
        let message = try keys.encrypt(Array(repeating: clear, count: 2000).flatMap { $0 }, to: [keys.curve])
        let decryptor = try OpenPGPDecryptor(
            upstream: MemorySource(message, failAt: message.count / 2), keyring: userKeyring(), requiredSigner: nil)
        let error = #expect(throws: TokenVaultError.self) { try decryptor.readAll() }
        #expect(error?.code == .io)
        #expect(error?.message.contains("on purpose") == true)
    }

    /// The first clear bytes arrive while most of the ciphertext is still unread: nothing waits
    /// for the whole message, so nothing holds it whole.
    @Test func clearBytesStreamBeforeTheMessageIsRead() throws {
        var big: [UInt8] = []
        var generator = SystemRandomNumberGenerator()
        // Random digits, so that gpg's compression cannot shrink the message to one chunk.
        for _ in 0..<(8 << 20) { big.append(UInt8(ascii: "0") + UInt8(generator.next() % 10)) }
        let message = try keys.encrypt(big, to: [keys.curve])
        let source = MemorySource(message)
        let decryptor = try OpenPGPDecryptor(upstream: source, keyring: userKeyring(), requiredSigner: nil)
        var first = [UInt8](repeating: 0, count: 1024)
        _ = try first.withUnsafeMutableBytes { try decryptor.read(into: $0) }
        #expect(source.position < message.count / 2)
        let rest = try decryptor.readAll(chunk: 1 << 16)
        #expect(first + rest == big)
    }

    @Test func abandoningADecryptionStopsIt() throws {
        let message = try keys.encrypt(Array(repeating: clear, count: 20_000).flatMap { $0 }, to: [keys.curve])
        var decryptor: OpenPGPDecryptor? = try OpenPGPDecryptor(
            upstream: MemorySource(message), keyring: userKeyring(), requiredSigner: nil)
        var buffer = [UInt8](repeating: 0, count: 100)
        _ = try buffer.withUnsafeMutableBytes { try decryptor!.read(into: $0) }
        decryptor = nil // must return: the GPGME thread is stopped and joined
        #expect(decryptor == nil)
    }

    @Test(arguments: [
        ("card_number\n", false), ("\u{FEFF}card_number\n", false), ("{\"a\":1}\n", false),
        ("\n-----BEGIN PGP MESSAGE-----\n", true), ("-----BEGIN PGP SIGNATURE-----\n", false),
    ])
    func recognisesMessagesByContent(text: String, expected: Bool) {
        #expect(Array(text.utf8).withUnsafeBytes(OpenPGPMessage.isMessage) == expected)
        #expect([UInt8]([0x1F, 0x8B, 0x08]).withUnsafeBytes(OpenPGPMessage.isMessage) == false)
    }

    private func writeSecretFile(_ text: String, mode: mode_t = 0o600) throws -> String {
        let path = NSTemporaryDirectory() + "/tv-secret-\(UUID().uuidString.prefix(8))"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        return path
    }
}
