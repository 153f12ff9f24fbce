import CGPGME
import Foundation

/// A GPGME data object whose bytes come from, or go to, Swift closures (`gpgme_data_new_from_cbs`).
///
/// This is how bytes stream through `gpg` without a file: GPGME pulls ciphertext or clear text
/// through `read` and pushes its output through `write`, on the thread running the operation.
/// Owns the data object and its callback table, and frees both in `deinit`.
final class OpenPGPData {
    /// Fills the buffer; returns 0 at the end. A throw stops the operation.
    typealias Reader = (UnsafeMutableRawBufferPointer) throws -> Int
    /// Takes the bytes. A throw stops the operation.
    typealias Writer = (UnsafeRawBufferPointer) throws -> Void

    private(set) var handle: gpgme_data_t!
    private let callbacks: UnsafeMutablePointer<gpgme_data_cbs>
    private let reader: Reader?
    private let writer: Writer?
    /// The first error a closure threw: it explains the operation's failure better than GPGME can.
    private(set) var failure: (any Error)?

    /// A data object GPGME reads from.
    convenience init(reading reader: @escaping Reader) throws {
        try self.init(reader: reader, writer: nil)
    }

    /// A data object GPGME writes to.
    convenience init(writing writer: @escaping Writer) throws {
        try self.init(reader: nil, writer: writer)
    }

    private init(reader: Reader?, writer: Writer?) throws {
        self.reader = reader
        self.writer = writer
        callbacks = .allocate(capacity: 1)
        callbacks.initialize(
            to: gpgme_data_cbs(
                read: reader == nil ? nil : openPGPDataRead,
                write: writer == nil ? nil : openPGPDataWrite,
                seek: nil, release: nil))
        var data: gpgme_data_t?
        let status = gpgme_data_new_from_cbs(&data, callbacks, Unmanaged.passUnretained(self).toOpaque())
        guard status == 0, let data else {
            callbacks.deallocate()
            throw TokenVaultError(.io, "OpenPGP: cannot create a data stream: \(GPGME.message(status))")
        }
        handle = data
    }

    deinit {
        gpgme_data_release(handle)
        callbacks.deallocate()
    }

    fileprivate func read(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard failure == nil, let reader else { GPGME.setErrno(EIO); return -1 }
        do {
            return try reader(buffer)
        } catch {
            failure = error
            GPGME.setErrno(ECANCELED)
            return -1
        }
    }

    fileprivate func write(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard failure == nil, let writer else { GPGME.setErrno(EIO); return -1 }
        do {
            try writer(bytes)
            return bytes.count
        } catch {
            failure = error
            GPGME.setErrno(ECANCELED)
            return -1
        }
    }
}

private func openPGPDataRead(_ handle: UnsafeMutableRawPointer?, _ buffer: UnsafeMutableRawPointer?, _ size: Int) -> Int {
    guard let handle, let buffer else { return 0 }
    let data = Unmanaged<OpenPGPData>.fromOpaque(handle).takeUnretainedValue()
    return data.read(UnsafeMutableRawBufferPointer(start: buffer, count: size))
}

private func openPGPDataWrite(_ handle: UnsafeMutableRawPointer?, _ buffer: UnsafeRawPointer?, _ size: Int) -> Int {
    guard let handle else { return -1 }
    let data = Unmanaged<OpenPGPData>.fromOpaque(handle).takeUnretainedValue()
    return data.write(UnsafeRawBufferPointer(start: buffer, count: size))
}
