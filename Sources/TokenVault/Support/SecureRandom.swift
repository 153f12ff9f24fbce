#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes from the operating system's CSPRNG, drawn in bulk.
///
/// Tokens and nonces must be unpredictable; `getentropy(3)` (the kernel's `getrandom`) gives that,
/// and filling a whole batch's worth of bytes at once keeps the cost per row to a memory copy.
package enum SecureRandom {
    /// Fills `buffer` with random bytes.
    package static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard var base = buffer.baseAddress else { return }
        var remaining = buffer.count
        while remaining > 0 {
            // getentropy serves at most 256 bytes a call.
            let chunk = min(remaining, 256)
            let got = getentropy(base, chunk) == 0 ? chunk : -1
            if got < 0 {
                if errno == EINTR { continue }
                fatalError("the system's random number generator failed (errno \(errno))")
            }
            base += got
            remaining -= got
        }
    }

    /// `count` random bytes.
    package static func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { fill($0) }
        return out
    }
}
