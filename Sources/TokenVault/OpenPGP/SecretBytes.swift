import Foundation

/// Bytes that must not outlive their use (a passphrase): zeroed when released, never printed.
final class SecretBytes: @unchecked Sendable, CustomStringConvertible {
    private var storage: [UInt8]

    init(_ bytes: [UInt8]) { storage = bytes }

    deinit {
        storage.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { explicit_bzero(base, raw.count) }
        }
    }

    var count: Int { storage.count }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes(body)
    }

    var description: String { "<secret>" }
}
