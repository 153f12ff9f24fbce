import Foundation

@testable import TokenVault

/// A temporary folder for one test, with helpers to write gzip inputs and run the real executable.
final class TestWorkspace {
    let root: URL
    /// The kind of vault the commands of this test use. On PostgreSQL each vault name a test
    /// uses (`vault.db`, `crash.db`, …) is a fresh database of the test server, dropped at the end.
    let vaultKind: VaultKind
    var databases: [String: String] = [:]

    init(vault: VaultKind = .sqlite) throws {
        vaultKind = vault
        root = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("tokenvault-tests-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        if vault == .postgreSQL { _ = try self.vault("vault.db") }
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
        dropDatabases()
    }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// Writes `text` gzip-compressed (one member, or one per `members` part).
    @discardableResult
    func writeGzip(_ name: String, _ text: String, members: Int = 1) throws -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        let size = max(1, (bytes.count + members - 1) / members)
        var start = 0
        repeat {
            let end = min(bytes.count, start + size)
            out += GzipMember.compress(Array(bytes[start..<end]), level: 6)
            start = end
        } while start < bytes.count
        try Data(out).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    @discardableResult
    func writePlain(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    /// Reads a gzip (or plain) output file as text.
    func readText(_ path: String) throws -> String {
        let source = try InputSource(path: path)
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Result or error CSV as rows of column → value.
    func readCSV(_ path: String) throws -> [[String: String]] {
        let text = try readText(path)
        let lines = CSVTestParser.parse(text)
        guard let header = lines.first else { return [] }
        return lines.dropFirst().map {
            Dictionary(uniqueKeysWithValues: zip(header, $0 + Array(repeating: "", count: max(0, header.count - $0.count))))
        }
    }

    func readReport(_ jobID: String, out: String = "out") throws -> ReconciliationReport {
        try ReconciliationReport.decode(String(contentsOfFile: path("\(out)/\(jobID).report.json"), encoding: .utf8))
    }

    /// Environment for runs: a fixed master key unless a test wants another.
    static let masterKey = "q1Ld7SANyQkfJkOeyfI1iSO7mHvBGY0jBQe0bYaYu6Y="

    /// Runs the built `tokenvault` in this folder.
    @discardableResult
    func run(_ arguments: [String], environment: [String: String]? = nil, stdin: Data? = nil) throws -> RunResult {
        let process = try start(arguments, environment: environment, stdinData: stdin)
        return process.wait()
    }

    /// Starts the executable without waiting; with `keepStdinOpen` its standard input stays open
    /// (a run reading `-` then waits) until `closeStdin()`. `launcher` runs it through another
    /// program (e.g. `setpriv`), given as that program's path and arguments.
    func start(
        _ arguments: [String], environment: [String: String]? = nil, stdinData: Data? = nil,
        keepStdinOpen: Bool = false, launcher: [String] = []
    ) throws -> RunningProcess {
        let process = Process()
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = launcher.dropFirst() + [TestWorkspace.executable.path] + (try vaultArguments(arguments))
        } else {
            process.executableURL = TestWorkspace.executable
            process.arguments = try vaultArguments(arguments)
        }
        process.currentDirectoryURL = root
        var env = ProcessInfo.processInfo.environment
        env["TOKENVAULT_MASTER_KEY"] = TestWorkspace.masterKey
        env.removeValue(forKey: "TOKENVAULT_VAULT")
        if vaultKind == .postgreSQL { env["TOKENVAULT_VAULT"] = try vault("vault.db") }

        for (key, value) in environment ?? [:] { env[key] = value.isEmpty ? nil : value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdinData { input.fileHandleForWriting.write(stdinData) }
        if !keepStdinOpen { try? input.fileHandleForWriting.close() }
        return RunningProcess(process: process, stdout: out, stderr: err, stdin: input)
    }

    /// The `tokenvault` binary beside the test bundle.
    static let executable: URL = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("tokenvault")
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isFolder), !isFolder.boolValue {
                return candidate
            }
            dir = dir.deletingLastPathComponent()
        }
        fatalError("the tokenvault executable was not built beside the tests")
    }()
}

struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

final class RunningProcess {
    let process: Process
    private let stdout: Pipe
    private let stderr: Pipe
    private var outData = Data()
    private var errData = Data()
    private let group = DispatchGroup()

    private let stdin: Pipe?

    init(process: Process, stdout: Pipe, stderr: Pipe, stdin: Pipe? = nil) {
        self.process = process
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        // Drain both pipes while the process runs, so it never blocks on a full pipe.
        let box = Drain()
        group.enter()
        DispatchQueue.global().async { [group] in
            box.out = RunningProcess.readAll(stdout); group.leave()
        }
        group.enter()
        DispatchQueue.global().async { [group] in
            box.err = RunningProcess.readAll(stderr); group.leave()
        }
        drain = box
    }

    private let drain: Drain
    private final class Drain: @unchecked Sendable {
        var out = Data()
        var err = Data()
    }

    func kill() { Foundation.kill(process.processIdentifier, SIGKILL) }

    /// Sends a signal to the process (not to a launcher's children: `setpriv` execs in place).
    func signal(_ number: Int32) { Foundation.kill(process.processIdentifier, number) }

    /// Ends standard input when it was kept open.
    func closeStdin() { try? stdin?.fileHandleForWriting.close() }

    /// Reads a pipe to its end, retrying reads a signal interrupts (Foundation's
    /// `readDataToEndOfFile` traps on EINTR, which SIGCHLD from a killed child causes).
    static func readAll(_ pipe: Pipe) -> Data {
        let fd = pipe.fileHandleForReading.fileDescriptor
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { data.append(contentsOf: buffer[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            return data
        }
    }

    func wait() -> RunResult {
        process.waitUntilExit()
        group.wait()
        return RunResult(
            status: process.terminationStatus,
            stdout: String(decoding: drain.out, as: UTF8.self),
            stderr: String(decoding: drain.err, as: UTF8.self))
    }
}

/// A small RFC 4180 reader for checking output files (independent of the product's reader).
enum CSVTestParser {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append("\""); chars.removeFirst() } else { quoted = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" {
                row.append(field); field = ""
                rows.append(row); row = []
            } else if c != "\r" {
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}

/// Card numbers for tests: valid (Luhn) numbers of a brand, made from a counter.
enum TestCards {
    static func number(prefix: String = "4", length: Int = 16, serial: Int) -> String {
        var digits = prefix.utf8.map { $0 - 0x30 }
        let serialDigits = String(serial).utf8.map { $0 - 0x30 }
        while digits.count + serialDigits.count < length - 1 { digits.append(0) }
        digits += serialDigits
        digits.append(Luhn.checkDigit(for: digits))
        return String(decoding: digits.map { $0 + 0x30 }, as: UTF8.self)
    }

    /// A CSV of cards with the standard header.
    static func csv(_ rows: [(reference: String, number: String, expiry: String)]) -> String {
        "reference,card_number,expiry_date,cardholder_name\n"
            + rows.map { "\($0.reference),\($0.number),\($0.expiry),Test Holder\n" }.joined()
    }
}
