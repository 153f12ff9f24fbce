import CGPGME
import Dispatch
import Foundation

/// Encrypts a stream into an OpenPGP message for `--encrypt-to` recipients (SPEC §11).
///
/// The mirror of `OpenPGPDecryptor`: `write` hands clear bytes through a `ChunkChannel` to a
/// thread running `gpgme_op_encrypt_ext`, which pipes them to `gpg`; the message `gpg` writes
/// goes straight to the next layer (the output file). No clear byte reaches a file.
/// Explicitly named recipients are trusted as they are (`--always-trust`).
final class OpenPGPEncryptor: ByteSink {
    private let operation: EncryptOperation
    private let downstream: any ByteSink
    private var pending: [UInt8] = []
    private var state = State.open

    private enum State { case open, finished, abandoned }

    /// Checks the recipients and starts the encryption.
    ///
    /// - Parameters:
    ///   - downstream: where the message goes; written on the GPGME thread until `finish`.
    ///   - compress: false when the bytes are compressed already (gzip), to spare the CPU.
    /// - Throws: `keyMissing` for a recipient that is not in the keyring or a key file without
    ///   a key, `keyWrong` for a key that cannot encrypt (revoked, expired, no encryption subkey).
    init(downstream: any ByteSink, keyring: OpenPGPKeyring, recipients: [OpenPGPRecipient], compress: Bool) throws {
        precondition(!recipients.isEmpty, "encryption needs a recipient")
        self.downstream = downstream
        let context = try keyring.makeContext()
        let recipientList = try OpenPGPRecipient.gpgmeList(recipients, context: context)
        operation = try EncryptOperation(context: context, recipients: recipientList, compress: compress, downstream: downstream)
        pending.reserveCapacity(EncryptOperation.chunkSize)
        operation.start()
    }

    deinit {
        if state == .open { abandon() }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(state == .open, "write after the end of the stream")
        pending.append(contentsOf: bytes)
        if pending.count >= EncryptOperation.chunkSize { try send() }
    }

    func finish() throws {
        guard state == .open else { return }
        if !pending.isEmpty { try send() }
        operation.channel.close()
        operation.wait()
        state = .finished
        try operation.checkOutcome()
        try downstream.finish()
    }

    func abandon() {
        guard state == .open else { return }
        state = .abandoned
        operation.channel.cancel()
        operation.wait()
        downstream.abandon()
    }

    private func send() throws {
        let chunk = pending
        pending = []
        pending.reserveCapacity(EncryptOperation.chunkSize)
        if !operation.channel.send(chunk) {
            // The operation ended early: say why.
            operation.wait()
            state = .abandoned
            downstream.abandon()
            try operation.checkOutcome()
            throw TokenVaultError(.io, "OpenPGP: the encryption stopped early")
        }
    }
}

/// One `gpgme_op_encrypt_ext` call on its own thread; its state is read once it has ended.
private final class EncryptOperation: @unchecked Sendable {
    static let chunkSize = 64 * 1024

    let channel = ChunkChannel(capacity: 8)
    private let context: OpenPGPContext
    private let recipients: String
    private let flags: gpgme_encrypt_flags_t
    private let plain: OpenPGPData
    private let cipher: OpenPGPData
    private let done = DispatchSemaphore(value: 0)
    private var status: gpgme_error_t = 0
    private var joined = false

    init(context: OpenPGPContext, recipients: String, compress: Bool, downstream: any ByteSink) throws {
        self.context = context
        self.recipients = recipients
        var flags = GPGME_ENCRYPT_ALWAYS_TRUST.rawValue | GPGME_ENCRYPT_NO_ENCRYPT_TO.rawValue
        if !compress { flags |= GPGME_ENCRYPT_NO_COMPRESS.rawValue }
        self.flags = gpgme_encrypt_flags_t(rawValue: flags)
        let reader = ChunkReader(channel: channel)
        plain = try OpenPGPData(reading: { buffer in try reader.read(into: buffer) })
        let sink = Confined(downstream)
        cipher = try OpenPGPData(writing: { bytes in try sink.value.write(bytes) })
    }

    func start() {
        let thread = Thread { [self] in
            status = gpgme_op_encrypt_ext(context.handle, nil, recipients, flags, plain.handle, cipher.handle)
            // Unblocks a writer waiting on a full channel when the operation ended early.
            channel.cancel()
            done.signal()
        }
        thread.name = "tokenvault.openpgp-encrypt"
        thread.start()
    }

    func wait() {
        guard !joined else { return }
        done.wait()
        joined = true
    }

    /// - Throws: the output's own error, `keyWrong` for an unusable recipient, else `io`.
    func checkOutcome() throws {
        if let failure = cipher.failure {
            throw failure as? TokenVaultError ?? TokenVaultError(.io, "OpenPGP: cannot write the encrypted output")
        }
        guard status != 0 else { return }
        if plain.failure is CancellationError {
            throw TokenVaultError(.io, "OpenPGP: the encryption was abandoned")
        }
        var invalid = gpgme_op_encrypt_result(context.handle)?.pointee.invalid_recipients
        var names: [String] = []
        while let current = invalid {
            names.append(current.pointee.fpr.map { String(cString: $0) } ?? "?")
            invalid = current.pointee.next
        }
        let code = GPGME.code(status)
        if !names.isEmpty || code == GPG_ERR_UNUSABLE_PUBKEY || code == GPG_ERR_NO_PUBKEY {
            let which = names.isEmpty ? "" : " (\(names.joined(separator: ", ")))"
            throw TokenVaultError(.keyWrong, "OpenPGP: cannot encrypt to a recipient\(which): \(GPGME.message(status))")
        }
        throw TokenVaultError(.io, "OpenPGP: encryption failed: \(GPGME.message(status))")
    }
}

/// Feeds GPGME the chunks the writer sends (on the GPGME thread only).
private final class ChunkReader: @unchecked Sendable {
    private let channel: ChunkChannel
    private var chunk: [UInt8] = []
    private var offset = 0

    init(channel: ChunkChannel) { self.channel = channel }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while offset == chunk.count {
            guard let next = channel.receive() else {
                // An abandoned stream must not end as a complete-looking message.
                if channel.isCancelled { throw CancellationError() }
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
