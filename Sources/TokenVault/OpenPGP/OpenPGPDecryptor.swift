import CGPGME
import Dispatch
import Foundation

/// Decrypts an OpenPGP message while it streams (SPEC §11): ciphertext in, clear bytes out.
///
/// `gpg` runs the decryption in a child process; GPGME pumps the ciphertext to it from the
/// layer before and the clear text back through a callback, on a thread of its own. That
/// thread hands clear bytes to `read` through a `ChunkChannel` of a few 64 KiB chunks, so
/// the clear text is never written to a file and never held whole in memory.
///
/// What only the end of a message can tell (the integrity check, the signature) is checked
/// when the last byte has been read: `read` then throws instead of returning 0. A reader that
/// acts on bytes as they come must therefore hold back anything final until the end.
final class OpenPGPDecryptor: ByteSource {
    private let operation: DecryptOperation
    private let requiredSigner: OpenPGPKeyID?
    private var chunk: [UInt8] = []
    private var offset = 0
    private var ended = false

    /// Starts decrypting what `upstream` yields.
    ///
    /// - Parameters:
    ///   - upstream: the message's bytes, binary or ASCII-armoured; read on the GPGME thread.
    ///   - requiredSigner: when set, the message must carry a good signature by this key.
    ///
    /// Messages of its errors do not name the input: the reader prefixes its path.
    init(upstream: any ByteSource, keyring: OpenPGPKeyring, requiredSigner: OpenPGPKeyID?) throws {
        self.requiredSigner = requiredSigner
        operation = try DecryptOperation(context: keyring.makeContext(), upstream: upstream)
        operation.start()
    }

    deinit {
        operation.cancel()
        operation.wait()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while offset == chunk.count {
            if ended { return 0 }
            guard let next = operation.channel.receive() else {
                operation.wait()
                try operation.checkOutcome(requiredSigner: requiredSigner)
                ended = true
                chunk = []
                offset = 0
                return 0
            }
            chunk = next
            offset = 0
        }
        let n = min(buffer.count, chunk.count - offset)
        chunk.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}

/// One `gpgme_op_decrypt_ext` call on its own thread; its state is read once it has ended.
private final class DecryptOperation: @unchecked Sendable {
    static let chunkSize = 64 * 1024

    let channel = ChunkChannel(capacity: 8)
    private let context: OpenPGPContext
    private let cipher: OpenPGPData
    private let plain: OpenPGPData
    private let collector: ChunkCollector
    private let done = DispatchSemaphore(value: 0)
    private var status: gpgme_error_t = 0
    private var joined = false

    init(context: OpenPGPContext, upstream: any ByteSource) throws {
        self.context = context
        let source = Confined(upstream)
        cipher = try OpenPGPData(reading: { buffer in try source.value.read(into: buffer) })
        let collector = ChunkCollector(channel: channel, chunkSize: Self.chunkSize)
        self.collector = collector
        plain = try OpenPGPData(writing: { bytes in try collector.append(bytes) })
    }

    func start() {
        let thread = Thread { [self] in
            status = gpgme_op_decrypt_ext(context.handle, GPGME_DECRYPT_VERIFY, cipher.handle, plain.handle)
            // Bytes still collected are handed on only when the whole message decrypted.
            if status == 0 { collector.flush() }
            channel.close()
            done.signal()
        }
        thread.name = "tokenvault.openpgp-decrypt"
        thread.start()
    }

    /// Stops the operation when the reader is gone: the next callback fails it.
    func cancel() { channel.cancel() }

    /// Waits for the operation's thread to end (once; later calls return at once).
    func wait() {
        guard !joined else { return }
        done.wait()
        joined = true
    }

    /// Turns the ended operation into an error, or checks the signature when it succeeded.
    ///
    /// - Throws: the upstream's own error; `keyMissing`/`keyWrong` for the key or passphrase;
    ///   `inputData` for a corrupt, truncated or unprotected message or a missing signature.
    func checkOutcome(requiredSigner: OpenPGPKeyID?) throws {
        if let failure = cipher.failure {
            throw failure as? TokenVaultError ?? TokenVaultError(.io, "cannot read the OpenPGP message")
        }
        if status != 0 { throw decryptError() }
        try checkSignatures(requiredSigner: requiredSigner)
    }

    private func decryptError() -> TokenVaultError {
        let code = GPGME.code(status)
        let hook = context.passphrase
        if hook.rejected || code == GPG_ERR_BAD_PASSPHRASE {
            return TokenVaultError(.keyWrong, "the passphrase of the OpenPGP secret key is wrong")
        }
        if hook.requested && hook.secret == nil {
            return TokenVaultError(.keyMissing, "the OpenPGP secret key is protected by a passphrase: give --pgp-passphrase-file")
        }
        let result = gpgme_op_decrypt_result(context.handle)?.pointee
        var keyIDs: [String] = []
        var recipient = result?.recipients
        var allMissing = recipient != nil
        while let current = recipient {
            if let keyID = current.pointee.keyid { keyIDs.append(String(cString: keyID)) }
            if GPGME.code(current.pointee.status) != GPG_ERR_NO_SECKEY { allMissing = false }
            recipient = current.pointee.next
        }
        if allMissing || code == GPG_ERR_NO_SECKEY {
            let list = keyIDs.isEmpty ? "" : " (it is encrypted for key id \(keyIDs.joined(separator: ", ")))"
            return TokenVaultError(.keyMissing, "no OpenPGP secret key in the keyring can decrypt it\(list)")
        }
        if let algorithm = result?.unsupported_algorithm {
            return TokenVaultError(.inputData, "the OpenPGP message uses an unsupported algorithm (\(String(cString: algorithm)))")
        }
        if result?.legacy_cipher_nomdc != 0 && result != nil {
            return TokenVaultError(.inputData, "the OpenPGP message has no integrity protection (MDC)")
        }
        if code == GPG_ERR_NO_DATA {
            return TokenVaultError(.inputData, "not a complete OpenPGP message (damaged or truncated)")
        }
        return TokenVaultError(
            .inputData, "the OpenPGP message is corrupt, truncated or fails its integrity check (\(GPGME.message(status)))")
    }

    private func checkSignatures(requiredSigner: OpenPGPKeyID?) throws {
        var signature = gpgme_op_verify_result(context.handle)?.pointee.signatures
        var seen: [String] = []
        while let current = signature {
            let sig = current.pointee
            let fingerprint = sig.fpr.map { String(cString: $0) } ?? "?"
            let code = GPGME.code(sig.status)
            // A signature that is there but does not match the data means the data was changed.
            if code == GPG_ERR_BAD_SIGNATURE {
                throw TokenVaultError(.inputData, "the OpenPGP signature by \(fingerprint) does not match the data")
            }
            if let requiredSigner, code == GPG_ERR_NO_ERROR, sig.wrong_key_usage == 0 {
                let key = context.key(fingerprint: fingerprint)
                let fingerprints = key?.fingerprints ?? [fingerprint]
                if fingerprints.contains(where: requiredSigner.matches) { return }
            }
            seen.append(code == GPG_ERR_NO_ERROR ? fingerprint : "\(fingerprint) (\(GPGME.message(sig.status)))")
            signature = sig.next
        }
        guard let requiredSigner else { return }
        if seen.isEmpty {
            throw TokenVaultError(.inputData, "the OpenPGP message is not signed; a signature by \(requiredSigner) is required")
        }
        throw TokenVaultError(.inputData, "no good OpenPGP signature by \(requiredSigner) (signed by \(seen.joined(separator: ", ")))")
    }
}

/// Gathers GPGME's small writes into chunks for the channel (on the GPGME thread only).
private final class ChunkCollector: @unchecked Sendable {
    private let channel: ChunkChannel
    private let chunkSize: Int
    private var pending: [UInt8] = []

    init(channel: ChunkChannel, chunkSize: Int) {
        self.channel = channel
        self.chunkSize = chunkSize
        pending.reserveCapacity(chunkSize)
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        pending.append(contentsOf: bytes)
        if pending.count >= chunkSize { try send() }
    }

    func flush() {
        if !pending.isEmpty { try? send() }
    }

    private func send() throws {
        let chunk = pending
        pending = []
        pending.reserveCapacity(chunkSize)
        guard channel.send(chunk) else { throw CancellationError() }
    }
}
