import Crypto
import Foundation

/// Output held until an all-or-nothing run commits, parked on disk sealed under a key that
/// exists only in this process's memory, so memory stays flat at any input size (SPEC §6).
///
/// The held output is result and error lines (tokens, masked aliases, never a clear number),
/// sealed all the same: each record with AES-256-GCM under an ephemeral key drawn when the file
/// is made and never written anywhere, its sequence number and place bound as associated data
/// (a record cannot be swapped or moved). The file is created `O_EXCL | O_NOFOLLOW`, mode 0600,
/// and unlinked at once: it has no name while it is used and vanishes when the descriptor is
/// closed, on success, failure or a kill alike.
final class SealedSpillFile: @unchecked Sendable {
    /// Where one parked item lies in the file.
    struct Record: Sendable, Equatable {
        let offset: Int
        let length: Int
    }

    /// The open, nameless file (tests look at it through this descriptor).
    let fd: Int32
    private let key = SymmetricKey(size: .bits256)
    private let lock = NSLock()
    private var end = 0

    /// Creates and unlinks the file in `directory`.
    ///
    /// - Throws: `cannotCreateOutput` when it cannot be created there.
    init(directory: String) throws {
        var random = [UInt8](repeating: 0, count: 8)
        random.withUnsafeMutableBytes { SecureRandom.fill($0) }
        let path = (directory as NSString).appendingPathComponent(".tokenvault-held.\(random.hexString)")
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw TokenVaultError(
                .cannotCreateOutput, "cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))")
        }
        fchmod(fd, 0o600)
        unlink(path)
    }

    deinit { close(fd) }

    /// Seals `bytes` as item `sequence` and appends it; safe from any thread.
    ///
    /// - Throws: `io` when the file cannot be written (a full disk).
    func park(_ bytes: [UInt8], sequence: Int) throws -> Record {
        // The place is reserved first, so the seal can bind it and writers need not wait for each other.
        let length = bytes.count + 28
        let offset = lock.withLock {
            defer { end += length }
            return end
        }
        let sealed: Data
        do {
            sealed = try AES.GCM.seal(bytes, using: key, authenticating: Self.binding(sequence, offset)).combined!
        } catch {
            throw TokenVaultError(.io, "cannot seal held output: \(type(of: error))")
        }
        try sealed.withUnsafeBytes { raw in
            var written = 0
            while written < raw.count {
                let n = pwrite(fd, raw.baseAddress! + written, raw.count - written, off_t(offset + written))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw TokenVaultError(.io, "cannot write held output to its temporary file: \(String(cString: strerror(errno)))")
                }
                written += n
            }
        }
        return Record(offset: offset, length: length)
    }

    /// Reads item `sequence` back and opens it.
    ///
    /// - Throws: `io` when it cannot be read or does not open (changed on disk).
    func take(_ record: Record, sequence: Int) throws -> [UInt8] {
        var sealed = [UInt8](repeating: 0, count: record.length)
        try sealed.withUnsafeMutableBytes { raw in
            var done = 0
            while done < raw.count {
                let n = pread(fd, raw.baseAddress! + done, raw.count - done, off_t(record.offset + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw TokenVaultError(.io, "cannot read held output back from its temporary file") }
                done += n
            }
        }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return Array(try AES.GCM.open(box, using: key, authenticating: Self.binding(sequence, record.offset)))
        } catch {
            throw TokenVaultError(.io, "held output changed in its temporary file: it does not open")
        }
    }

    /// The associated data: the item's sequence number and offset.
    private static func binding(_ sequence: Int, _ offset: Int) -> [UInt8] {
        withUnsafeBytes(of: (Int64(sequence).littleEndian, Int64(offset).littleEndian)) { Array($0) }
    }
}
