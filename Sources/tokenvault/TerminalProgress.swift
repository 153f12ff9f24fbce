import Foundation
import TokenVault

/// A one-line progress display on stderr: rows, rows/s and elapsed time.
struct TerminalProgress: ProgressObserver {
    func update(rows: Int, elapsedSeconds: Double) {
        let rate = elapsedSeconds > 0 ? Double(rows) / elapsedSeconds : 0
        let line = String(format: "\r%@ rows · %@ rows/s · %.1f s ", Formatting.grouped(rows), Formatting.grouped(Int(rate)), elapsedSeconds)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

enum Formatting {
    /// `1234567` → `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }
}
