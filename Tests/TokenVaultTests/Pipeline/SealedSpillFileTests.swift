import Foundation
import Testing

@testable import TokenVault

/// Output parked until an all-or-nothing run commits: sealed, nameless, bound to its place.
@Suite struct SealedSpillFileTests {
    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "tv-held-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    /// What the file holds on disk, read through its descriptor.
    func onDisk(_ file: SealedSpillFile) -> [UInt8] {
        var info = stat()
        fstat(file.fd, &info)
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        let n = bytes.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress!, $0.count, 0) }
        return Array(bytes.prefix(max(0, n)))
    }

    @Test func itemsParkedFromManyThreadsComeBackInAnyOrder() throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try SealedSpillFile(directory: folder)
        let items = (0..<64).map { sequence in Array("batch \(sequence): ".utf8) + [UInt8](repeating: UInt8(sequence), count: sequence * 97)
        }
        let records = Mutexed([SealedSpillFile.Record?](repeating: nil, count: items.count))
        DispatchQueue.concurrentPerform(iterations: items.count) { sequence in
            let record = try! file.park(items[sequence], sequence: sequence)
            records.update { $0[sequence] = record }
        }
        for sequence in items.indices.reversed() {
            #expect(try file.take(records.value[sequence]!, sequence: sequence) == items[sequence])
        }
        // The file has no name: nothing is left in the folder, and it goes with the descriptor.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        var info = stat()
        fstat(file.fd, &info)
        #expect(info.st_nlink == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(Int(info.st_size) == items.reduce(0) { $0 + $1.count + 28 })
    }

    @Test func theDiskHoldsOnlySealedBytes() throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try SealedSpillFile(directory: folder)
        let marker = Array("row,reference,status,token 4111111111111111 0b7e2a52-3c1d-4f6e-9a8b-7c6d5e4f3a2b".utf8)
        _ = try file.park(marker + marker, sequence: 0)
        let disk = onDisk(file)
        #expect(disk.count == marker.count * 2 + 28)
        for length in [8, 16] {
            for start in stride(from: 0, to: marker.count - length, by: 4) {
                let piece = marker[start..<(start + length)]
                #expect(disk.firstRange(of: piece) == nil)
            }
        }
    }

    @Test func anItemOpensOnlyAtItsPlaceAndUnchanged() throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try SealedSpillFile(directory: folder)
        let first = try file.park(Array("first".utf8), sequence: 0)
        let second = try file.park(Array("second".utf8), sequence: 1)
        #expect(throws: TokenVaultError.self) { try file.take(first, sequence: 1) }
        #expect(throws: TokenVaultError.self) {
            try file.take(SealedSpillFile.Record(offset: second.offset, length: first.length), sequence: 0)
        }
        // One byte changed on disk.
        var byte: UInt8 = 0
        pread(file.fd, &byte, 1, off_t(second.offset + 14))
        byte ^= 0x01
        pwrite(file.fd, &byte, 1, off_t(second.offset + 14))
        #expect(throws: TokenVaultError.self) { try file.take(second, sequence: 1) }
        #expect(try file.take(first, sequence: 0) == Array("first".utf8))
    }

    @Test func aFolderThatCannotHoldItIsRefused() {
        #expect(throws: TokenVaultError.self) { try SealedSpillFile(directory: "/nonexistent-\(UUID().uuidString)") }
    }
}

/// A value shared by concurrent test threads.
private final class Mutexed<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}
