import Foundation
import Testing

@testable import TokenVault

/// Issue 11 (input, output, command line), on the real executable: symlinks, hostile inputs,
/// files changing while read, `-`, option ranges, JSON logs.
@Suite struct SafeIOEndToEndTests {
    static let visa = "4111111111111111"

    func cards(_ count: Int, from: Int = 1) -> String {
        TestCards.csv((from..<(from + count)).map { ("r\($0)", TestCards.number(serial: $0), "12/39") })
    }

    func isSymlink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    // MARK: - Item 1: outputs never follow symlinks

    /// A symlink planted at a temporary output name (the window between the old unlink and open)
    /// is refused, and its target is never written.
    @Test(arguments: ["out/j.results.csv.gz.part", "out/j.errors.csv.gz.part", "out/j.report.json", "out/j.results.csv.gz"])
    func tokenizeRefusesASymlinkAtAnOutputName(planted: String) throws {
        let ws = try TestWorkspace()
        try ws.writePlain("in.csv", cards(3))
        try FileManager.default.createDirectory(atPath: ws.path("out"), withIntermediateDirectories: true)
        try ws.writePlain("victim.txt", "untouched\n")
        try FileManager.default.createSymbolicLink(atPath: ws.path(planted), withDestinationPath: ws.path("victim.txt"))
        let r = try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv", "--job-id", "j"])
        #expect(r.status == 73, "\(r.stderr)")
        #expect(r.stderr.contains("symbolic link"))
        #expect(try String(contentsOfFile: ws.path("victim.txt"), encoding: .utf8) == "untouched\n")
        #expect(isSymlink(ws.path(planted)))
    }

    @Test(arguments: ["numbers.csv", "numbers.csv.part"])
    func detokenizeNeverWritesNumbersThroughASymlink(planted: String) throws {
        let ws = try TestWorkspace()
        try ws.writePlain("in.csv", cards(2))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv", "--job-id", "t"]).status == 0)
        try ws.writePlain("victim.txt", "untouched\n")
        try FileManager.default.createSymbolicLink(atPath: ws.path(planted), withDestinationPath: ws.path("victim.txt"))
        let r = try ws.run(["detokenize", "--input", "out/t.results.csv.gz", "--out", "numbers.csv"])
        #expect(r.status == 73, "\(r.stderr)")
        #expect(try String(contentsOfFile: ws.path("victim.txt"), encoding: .utf8) == "untouched\n")
        #expect(!FileManager.default.fileExists(atPath: ws.path("numbers.csv")) || isSymlink(ws.path("numbers.csv")))
    }

    /// The race itself: a second process keeps planting a symlink at the temporary name while
    /// detokenize runs again and again. Without O_EXCL|O_NOFOLLOW some run writes through it.
    @Test func symlinkRaceNeverReceivesNumbers() throws {
        let ws = try TestWorkspace()
        try ws.writePlain("in.csv", cards(50))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv", "--job-id", "t"]).status == 0)
        try ws.writePlain("victim.txt", "")
        let part = ws.path("numbers.csv.part"), victim = ws.path("victim.txt")
        let stop = Flag()
        let attacker = Thread {
            while !stop.isSet {
                unlink(part)
                symlink(victim, part)
            }
        }
        attacker.start()
        var statuses: [Int32] = []
        for _ in 0..<15 {
            unlink(ws.path("numbers.csv"))
            statuses.append(try ws.run(["detokenize", "--input", "out/t.results.csv.gz", "--out", "numbers.csv"]).status)
        }
        stop.set()
        while attacker.isExecuting { usleep(1000) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: victim)).isEmpty, "the symlink's target received numbers")
        #expect(statuses.allSatisfy { $0 == 0 || $0 == 73 })
    }

    @Test func outputsAreMode0600() throws {
        let ws = try TestWorkspace()
        try ws.writePlain("in.csv", cards(2))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv", "--job-id", "j"]).status == 0)
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "3", "--out", "s.csv.gz"]).status == 0)
        for file in ["out/j.results.csv.gz", "out/j.errors.csv.gz", "out/j.report.json", "s.csv.gz"] {
            #expect(try FileManager.default.attributesOfItem(atPath: ws.path(file))[.posixPermissions] as? Int == 0o600, "\(file)")
        }
    }

    // MARK: - Item 2: deeply nested JSON

    @Test func deeplyNestedJSONLineIsOneMalformedRowAndTheRunGoesOn() throws {
        let ws = try TestWorkspace()
        let deep = #"{"x":"# + String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000) + "}"
        try ws.writePlain(
            "in.jsonl",
            """
            {"card_number":"\(Self.visa)","expiry_date":"12/39"}
            \(deep)
            {"card_number":"5555555555554444","expiry_date":"12/39"}

            """)
        let r = try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.jsonl", "--job-id", "j"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try ws.readReport("j")
        #expect(report.counts.rows == 3 && report.counts.new == 2 && report.counts.rejected == 1)
        #expect(report.errorsByCode["MALFORMED_RECORD"] == 1)
    }

    // MARK: - Item 4: header names in log lines

    /// CR-only line ends make the whole file one header row: every card number is a "column".
    @Test(arguments: ["text", "json"])
    func ignoredColumnWarningNeverEchoesNumbersOrControlCharacters(format: String) throws {
        let ws = try TestWorkspace()
        let rows = (1...5).map { "r\($0),\(TestCards.number(serial: $0)),12/39" }
        try ws.writePlain("cr.csv", "reference,card_number,expiry_date,\"evil\nline\",\u{1B}[2Jx\r" + rows.joined(separator: "\r") + "\r")
        let r = try ws.run(["tokenize", "--create-vault", "--kind", "card", "cr.csv", "--job-id", "j", "--log-format", format])
        #expect(r.stderr.contains("columns_ignored"), "\(r.stderr)")
        for serial in 1...5 {
            let number = TestCards.number(serial: serial)
            #expect(!r.stderr.contains(number) && !r.stdout.contains(number))
            #expect(!r.stderr.contains(String(number.suffix(12))))
        }
        #expect(!r.stderr.contains("\u{1B}"))
        #expect(!r.stderr.contains("\nline"), "a newline in a header name must not start a log line")
    }

    // MARK: - Item 5: files that change while read

    /// Pauses the executable after its first read of the input (a test seam), changes the file,
    /// then lets it go on: no timing involved.
    func runWhileChanging(_ ws: TestWorkspace, _ arguments: [String], change: () throws -> Void) throws -> RunResult {
        let flag = ws.path("paused.flag")
        let running = try ws.start(arguments, environment: ["TOKENVAULT_TEST_PAUSE_AFTER_FIRST_READ": flag])
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: flag) && running.process.isRunning && Date() < deadline { usleep(5000) }
        #expect(FileManager.default.fileExists(atPath: flag), "the run never paused")
        try change()
        unlink(flag)
        return running.wait()
    }

    func append(_ path: String, _ text: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }

    @Test(arguments: ["shrinks", "grows", "replaced"])
    func anInputThatChangesWhileReadFailsWith65(change: String) throws {
        let ws = try TestWorkspace()
        let path = try ws.writePlain("in.csv", cards(8000)) // more than one 256 KiB read
        let r = try runWhileChanging(ws, ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--job-id", "j"]) {
            switch change {
            case "shrinks": #expect(truncate(path, 1000) == 0)
            case "grows": try append(path, "r9,\(TestCards.number(serial: 90_000)),12/39\n")
            default:
                try ws.writePlain("other.csv", cards(8000, from: 20_000))
                #expect(rename(ws.path("other.csv"), path) == 0)
            }
        }
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("input changed while reading"))
        let report = try ws.readReport("j")
        #expect(report.status == .failed)
        #expect(!FileManager.default.fileExists(atPath: ws.path("out/j.results.csv.gz")), "nothing that looks complete")
    }

    @Test func anUnchangedFileStillCompletesWithTheSeamSet() throws {
        let ws = try TestWorkspace()
        try ws.writePlain("in.csv", cards(8000))
        let r = try runWhileChanging(ws, ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--job-id", "j"]) {}
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try ws.readReport("j").counts.rows == 8000)
    }

    /// `run` hashes a file first; one that grows before or while it is read is not archived.
    @Test(arguments: ["shrinks", "grows"])
    func aJobDoesNotArchiveAFileThatChanged(change: String) throws {
        let ws = try jobProject(policy: "{}", archive: true)
        let path = try ws.writePlain("incoming/a.csv", cards(8000))
        let r = try runWhileChanging(ws, ["run", "jobs/nightly.json"]) {
            if change == "shrinks" { #expect(truncate(path, 2000) == 0) } else { try append(path, cards(5, from: 50_000)) }
        }
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stdout.contains("input changed while reading") || r.stderr.contains("input changed while reading"))
        #expect(FileManager.default.fileExists(atPath: path), "a changed file stays where it was")
        #expect(!FileManager.default.fileExists(atPath: ws.path("processed/a.csv")))
    }

    // MARK: - Item 5: settle_seconds and done_marker

    func jobProject(policy: String, archive: Bool = false) throws -> TestWorkspace {
        let ws = try TestWorkspace()
        for folder in ["jobs", "incoming"] {
            try FileManager.default.createDirectory(atPath: ws.path(folder), withIntermediateDirectories: true)
        }
        try ws.writePlain(
            "jobs/nightly.json",
            """
            {"name": "nightly", "kind": "card", "inputs": ["incoming/*"], "vault": "vault.db", "create_vault": true,
             "output": {"dir": "out"}, "policy": \(policy)\(archive ? #", "archive_dir": "processed""# : "")}
            """)
        return ws
    }

    @Test func aFileIsTakenOnlyOnceItsDoneMarkerExistsAndIsArchivedWithIt() throws {
        let ws = try jobProject(policy: #"{"done_marker": true}"#, archive: true)
        try ws.writePlain("incoming/a.csv", cards(3))
        let waiting = try ws.run(["run", "jobs/nightly.json"])
        #expect(waiting.status == 0, "\(waiting.stderr)")
        #expect(waiting.stderr.contains("done marker"))
        #expect(FileManager.default.fileExists(atPath: ws.path("incoming/a.csv")))
        try ws.writePlain("incoming/a.csv.done", "")
        let taken = try ws.run(["run", "jobs/nightly.json"])
        #expect(taken.status == 0, "\(taken.stderr)")
        #expect(taken.stdout.contains("3 card rows"))
        for name in ["a.csv", "a.csv.done"] {
            #expect(FileManager.default.fileExists(atPath: ws.path("processed/\(name)")), "\(name) archived")
            #expect(!FileManager.default.fileExists(atPath: ws.path("incoming/\(name)")))
        }
    }

    @Test func aFileChangedWithinTheSettleTimeWaits() throws {
        let ws = try jobProject(policy: #"{"settle_seconds": 3600}"#)
        try ws.writePlain("incoming/a.csv", cards(3))
        let fresh = try ws.run(["run", "jobs/nightly.json"])
        #expect(fresh.status == 0)
        #expect(fresh.stderr.contains("changed too recently"))
        #expect(!fresh.stdout.contains("card rows"))
        // Stable for two hours: taken.
        var times = [timespec(tv_sec: time(nil) - 7200, tv_nsec: 0), timespec(tv_sec: time(nil) - 7200, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, ws.path("incoming/a.csv"), &times, 0) == 0)
        let settled = try ws.run(["run", "jobs/nightly.json"])
        #expect(settled.status == 0, "\(settled.stderr)")
        #expect(settled.stdout.contains("3 card rows"))
    }

    // MARK: - Item 10: numeric options range-checked before anything is created

    @Test(arguments: [
        ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--wait", "2147484"],
        ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--wait", "-1"],
        ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--wait", "nan"],
        ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--concurrency", "10000000"],
        ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--concurrency", "0"],
        ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--max-reject-rate", "nan"],
        ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--max-reject-rate", "1.5"],
        ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--min-rows", "-3"],
        ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--batch-size", "100000000"],
        ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--delimiter", "\""],
        ["run", "jobs/none.json", "--concurrency", "10000000"],
        ["detokenize", "--input", "in.csv", "--out", "x.csv", "--concurrency", "0"],
        ["init", "--wait", "2147484"],
        ["sample", "--kind", "card", "--rows", "-1", "--out", "s.csv.gz"],
        ["sample", "--kind", "card", "--invalid-percent", "101", "--out", "s.csv.gz"],
    ])
    func outOfRangeOptionsAreUsageErrorsThatCreateNothing(arguments: [String]) throws {
        let ws = try TestWorkspace()
        try ws.writePlain("in.csv", cards(2))
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: ws.root.path))
        let r = try ws.run(arguments)
        #expect(r.status == 64, "\(arguments): \(r.stderr)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: ws.root.path)) == before, "nothing created")
    }

    // MARK: - Item 11: key file mode, detokenize's --out, gzip padding

    @Test func aKeyFileOthersCanReadIsRefusedNamingItsMode() throws {
        let ws = try TestWorkspace()
        try ws.writePlain("in.csv", cards(2))
        try ws.writePlain("master.key", TestWorkspace.masterKey + "\n")
        chmod(ws.path("master.key"), 0o644)
        let r = try ws.run(
            ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--master-key-file", "master.key"],
            environment: ["TOKENVAULT_MASTER_KEY": ""])
        #expect(r.status == 77, "\(r.stderr)")
        #expect(r.stderr.contains("0644"))
        #expect(!FileManager.default.fileExists(atPath: ws.path("vault.db")))
        chmod(ws.path("master.key"), 0o600)
        let ok = try ws.run(
            ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--master-key-file", "master.key"],
            environment: ["TOKENVAULT_MASTER_KEY": ""])
        #expect(ok.status == 0, "\(ok.stderr)")
        // Also where a key is optional (read-only commands): a given key others can read is refused, not ignored.
        chmod(ws.path("master.key"), 0o640)
        let report = try ws.run(["report", "--master-key-file", "master.key"], environment: ["TOKENVAULT_MASTER_KEY": ""])
        #expect(report.status == 77, "\(report.stderr)")
        #expect(report.stderr.contains("0640"))
    }

    @Test func detokenizeWithABadOutFailsBeforeAnyVaultIsOpened() throws {
        let ws = try TestWorkspace()
        try ws.writePlain("tokens.csv", "token\n\(UUID().uuidString.lowercased())\n")
        let r = try ws.run(["detokenize", "--input", "tokens.csv", "--out", "missing/folder/numbers.csv"])
        #expect(r.status == 73, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ws.path("vault.db")))
        #expect(!FileManager.default.fileExists(atPath: ws.path("vault.db.key")))
    }

    @Test func gzipWithTrailingZeroPaddingIsAccepted() throws {
        let ws = try TestWorkspace()
        let path = try ws.writeGzip("in.csv.gz", cards(5))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(count: 4096))
        try handle.close()
        let r = try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz", "--job-id", "j"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try ws.readReport("j").counts.new == 5)
    }

    // MARK: - Item 12: `-`, empty inputs, min rows, require_input

    @Test func sampleToStandardOutputCreatesNoFileNamedDash() throws {
        let ws = try TestWorkspace()
        let r = try ws.run(["sample", "--kind", "card", "--rows", "20", "--out", "-"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ws.path("-")))
        let stdin = try ws.run(
            ["tokenize", "--create-vault", "--kind", "card", "-", "--job-id", "j"],
            stdin: RunResultBytes.stdout(of: ws, ["sample", "--kind", "card", "--rows", "20", "--out", "-"]))
        #expect(stdin.status == 0, "\(stdin.stderr)")
        #expect(try ws.readReport("j").counts.rows == 20)
    }

    @Test(arguments: [
        ["detokenize", "--input", "out/t.results.csv.gz", "--out", "-"],
        ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--out", "-"],
        ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--vault", "-"],
        ["init", "--vault", "-"],
    ])
    func dashIsNeverAFile(arguments: [String]) throws {
        let status: Int32 = 64
        let ws = try TestWorkspace()
        try ws.writePlain("in.csv", cards(2))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv", "--job-id", "t"]).status == 0)
        let r = try ws.run(arguments)
        #expect(r.status == status, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ws.path("-")))
        #expect(!FileManager.default.fileExists(atPath: ws.path("-.part")))
    }

    @Test func detokenizeDashWithStdoutWritesToStandardOutput() throws {
        let ws = try TestWorkspace()
        try ws.writePlain("in.csv", cards(2))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv", "--job-id", "t"]).status == 0)
        let r = try ws.run(["detokenize", "--input", "out/t.results.csv.gz", "--out", "-", "--stdout"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains(TestCards.number(serial: 1)))
        #expect(!FileManager.default.fileExists(atPath: ws.path("-")))
    }

    @Test(arguments: ["empty.csv", "empty.jsonl", "empty.csv.gz"])
    func anInputWithNoHeaderFailsWith65(name: String) throws {
        let ws = try TestWorkspace()
        if name.hasSuffix(".gz") { try ws.writeGzip(name, "") } else { try ws.writePlain(name, "") }
        let r = try ws.run(["tokenize", "--create-vault", "--kind", "card", name, "--job-id", "j"])
        #expect(r.status == 65, "\(r.stderr)")
        #expect(r.stderr.contains("is empty"))
        #expect(try ws.readReport("j").status == .failed)
    }

    @Test func aHeaderWithNoRowsCompletesUnlessMinRowsSaysOtherwise() throws {
        let ws = try TestWorkspace()
        try ws.writePlain("h.csv", "card_number,expiry_date\n")
        let ok = try ws.run(["tokenize", "--create-vault", "--kind", "card", "h.csv", "--job-id", "a"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(try ws.readReport("a").counts.rows == 0)
        let short = try ws.run(["tokenize", "--create-vault", "--kind", "card", "h.csv", "--job-id", "b", "--min-rows", "1"])
        #expect(short.status == 65)
        #expect(short.stderr.contains("fewer than --min-rows 1"))
        try ws.writePlain("two.csv", cards(2))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "two.csv", "--job-id", "c", "--min-rows", "2"]).status == 0)
    }

    @Test func jobPolicyMinRowsAndRequireInput() throws {
        let ws = try jobProject(policy: #"{"min_rows": 5, "require_input": true}"#, archive: true)
        let none = try ws.run(["run", "jobs/nightly.json"])
        #expect(none.status == 66, "\(none.stderr)")
        try ws.writePlain("incoming/a.csv", cards(3))
        let few = try ws.run(["run", "jobs/nightly.json"])
        #expect(few.status == 65, "\(few.stderr)")
        #expect(FileManager.default.fileExists(atPath: ws.path("incoming/a.csv")), "a failed file is not archived")

        let relaxed = try jobProject(policy: "{}")
        let nothing = try relaxed.run(["run", "jobs/nightly.json"])
        #expect(nothing.status == 0)
        #expect(nothing.stdout.contains("no input file matches"))
    }

    // MARK: - Item 12: JSON logs are JSON

    func jsonLines(_ stderr: String) -> [[String: Any]?] {
        stderr.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    static let jsonCases: [JSONLogCase] = [
        JSONLogCase(arguments: ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--job-id", "20261204"], status: 0),
        JSONLogCase(arguments: ["tokenize", "--create-vault", "--kind", "card", "missing.csv", "--job-id", "20261204"], status: 66),
        JSONLogCase(arguments: ["tokenize", "--create-vault", "--kind", "card", "empty.csv", "--job-id", "20261204"], status: 65),
        JSONLogCase(arguments: ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--concurrency", "0"], status: 64),
        JSONLogCase(arguments: ["tokenize", "--create-vault", "--kind", "card", "in.csv", "--no-such-option"], status: 64),
        JSONLogCase(arguments: ["run", "jobs/missing.json"], status: 66),
    ]

    @Test(arguments: SafeIOEndToEndTests.jsonCases)
    func everyStderrLineIsOneJSONObject(_ testCase: JSONLogCase) throws {
        let arguments = testCase.arguments, status = testCase.status
        let ws = try TestWorkspace()
        try ws.writePlain("in.csv", cards(3) + "x,1234,12/39,Holder\n")
        try ws.writePlain("empty.csv", "")
        let r = try ws.run(arguments + ["--log-format", "json"])
        #expect(r.status == status, "\(r.stderr)")
        let lines = jsonLines(r.stderr)
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0 != nil }, "not JSON: \(r.stderr)")
        let events = lines.compactMap { $0 }
        for event in events {
            let time = try #require(event["time"] as? String)
            #expect(time.range(of: #"T\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil, "milliseconds: \(time)")
            if let jobID = event["job_id"] { #expect(jobID is String, "job ids stay strings") }
            if let exit = event["exit_status"] { #expect(exit is Int) }
        }
        if status != 0 {
            let fatal = try #require(events.first { $0["level"] as? String == "error" && $0["exit_status"] != nil })
            #expect(fatal["exit_status"] as? Int == Int(status))
            #expect((fatal["event"] as? String)?.isEmpty == false)
        }
        if arguments[0] == "tokenize" && status != 64 || arguments[0] == "run" {
            let last = try #require(events.last)
            #expect(last["event"] as? String == "run.finished")
            #expect(last["exit_status"] as? Int == Int(status))
            #expect(last["status"] as? String == (status == 0 ? "completed" : "failed"))
        }
    }

    @Test func progressTimingsAndDetokenizeSummariesAreJSONToo() throws {
        let ws = try TestWorkspace()
        try ws.writePlain("in.csv", cards(3))
        let run = try ws.run([
            "tokenize", "--create-vault", "--kind", "card", "in.csv", "--job-id", "t", "--progress", "--timings", "--log-format", "json",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(jsonLines(run.stderr).allSatisfy { $0 != nil }, "not JSON: \(run.stderr)")
        #expect(jsonLines(run.stderr).contains { $0?["event"] as? String == "run.timings" })
        let out = try ws.run(["detokenize", "--input", "out/t.results.csv.gz", "--stdout", "--log-format", "json"])
        #expect(out.status == 0, "\(out.stderr)")
        let events = jsonLines(out.stderr)
        #expect(!events.isEmpty && events.allSatisfy { $0 != nil }, "not JSON: \(out.stderr)")
        #expect(events.contains { $0?["event"] as? String == "detokenize.finished" && $0?["detokenized"] as? Int == 3 })
    }

    // MARK: - Item 9: numbers through free text, end to end

    @Test func anotherCardInAReferenceIsNeverEchoed() throws {
        let ws = try TestWorkspace()
        let hidden = "５５５５ ５５５５ ５５５５ ４４４４"
        try ws.writePlain(
            "in.csv", "reference,card_number,expiry_date\n\"ref \(hidden)\",\(Self.visa),12/39\nok-1,\(TestCards.number(serial: 7)),12/39\n"
        )
        let r = try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv", "--job-id", "j"])
        #expect(r.status == 0, "\(r.stderr)")
        let results = try ws.readText(ws.path("out/j.results.csv.gz")) + ws.readText(ws.path("out/j.errors.csv.gz"))
        #expect(!results.contains(hidden) && !results.contains("５５５５"))
        #expect(results.contains("SENSITIVE_DATA_IN_FIELD"))
        #expect(results.contains("ok-1"))
    }
}

struct JSONLogCase: Sendable, CustomTestStringConvertible {
    let arguments: [String]
    let status: Int32
    var testDescription: String { arguments.joined(separator: " ") }
}

/// A flag one thread sets and another reads.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// The raw stdout bytes of a run (gzip is not text).
enum RunResultBytes {
    static func stdout(of ws: TestWorkspace, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = TestWorkspace.executable
        process.arguments = arguments
        process.currentDirectoryURL = ws.root
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = RunningProcess.readAll(out)
        process.waitUntilExit()
        return data
    }
}
