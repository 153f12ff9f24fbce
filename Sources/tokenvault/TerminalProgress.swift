import Foundation
import TokenVault

/// A one-line progress display on stderr: rows, rows/s and elapsed time.
struct TerminalProgress: ProgressObserver {
    func update(rows: Int, elapsedSeconds: Double) {
        let rate = elapsedSeconds > 0 ? Double(rows) / elapsedSeconds : 0
        let line = String(
            format: "\r%@ rows · %@ rows/s · %.1f s ", Formatting.grouped(rows), Formatting.grouped(Int(rate)), elapsedSeconds)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
