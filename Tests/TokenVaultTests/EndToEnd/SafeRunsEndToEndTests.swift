import Foundation
import Testing

@testable import TokenVault

/// SPEC §10 on the real executable: results only for committed rows, signals, job ids, core dumps.
@Suite struct SafeRunsEndToEndTests {
    static let tuning = [
        "--kind", "card", "big.csv.gz", "--job-id", "J", "--batch-size", "500", "--commit-every", "5000", "--concurrency", "2",
    ]

    /// A 60,000-row sample and the results of an uninterrupted run over it (vault clean.db, out clean/).
    func workspaceWithCleanRun() throws -> TestWorkspace {
        let ws = try TestWorkspace()
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "60000", "--seed", "5", "--out", "big.csv.gz"]).status == 0)
        let clean = try ws.run(["tokenize", "--create-vault", "--vault", "clean.db", "--out", "clean"] + Self.tuning)
        #expect(clean.status == 0, "\(clean.stderr)")
        return ws
    }

    /// Every data line of a results file names a token the vault holds, and its rows are 1…n.
    func expectEveryTokenInVault(
        _ ws: TestWorkspace, results: String, vault: String = "vault.db",
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Int {
        let lines = try ws.readCompleteLines(ws.path(results))
        let tokens = try ws.vaultTokens(vault)
        var rows = 0, outOfOrder = 0
        var missing: [Int] = []
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 5 else { continue }
            rows += 1
            if Int(fields[0]) != rows { outOfOrder += 1 }
            if fields[2] != "rejected" && !tokens.contains(String(fields[3])) { missing.append(rows) }
        }
        #expect(outOfOrder == 0, "rows in order, none skipped", sourceLocation: sourceLocation)
        #expect(
            missing.isEmpty,
            "\(missing.count) of \(rows) result rows name a token the vault does not hold (first: row \(missing.first ?? 0))",
            sourceLocation: sourceLocation)
        return rows
    }

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func aSignalStopsCleanlyAndTheSameJobIDFinishes(signal: Int32, status: Int32) throws {
        let ws = try workspaceWithCleanRun()
        #expect(try ws.run(["init"]).status == 0)
        let running = try ws.start(["tokenize"] + Self.tuning)
        #expect(ws.waitUntil(running) { (ws.committedTokenCount() ?? 0) > 0 }, "a first commit before the signal")
        running.signal(signal)
        let stopped = running.wait()
        #expect(stopped.status == status, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("INTERRUPTED"))
        let report = try ws.readReport("J")
        #expect(report.status == .interrupted)
        #expect(report.failure?.contains(signal == SIGINT ? "SIGINT" : "SIGTERM") == true)
        #expect(report.counts.rows == report.counts.new + report.counts.existing + report.counts.rejected)
        #expect(report.counts.rows > 0 && report.counts.rows < 60000)
        #expect(report.vault.tokensAfter - report.vault.tokensBefore == report.counts.new)
        #expect(
            !FileManager.default.fileExists(atPath: ws.path("out/J.results.csv.gz")),
            "an interrupted run leaves nothing that looks complete")
        // The outputs of the committed rows are finished: exactly the reported rows, all in the vault.
        let written = try expectEveryTokenInVault(ws, results: "out/J.results.csv.gz.part")
        #expect(written == report.counts.rows)
        #expect(try ws.run(["report"]).status == 0, "an interrupted run reconciles")

        let resumed = try ws.run(["tokenize"] + Self.tuning)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let expected = tokenSharingPattern(try ws.readCSV(ws.path("clean/J.results.csv.gz")))
        let actual = tokenSharingPattern(try ws.readCSV(ws.path("out/J.results.csv.gz")))
        #expect(actual.count == 60000 && actual == expected)
        #expect(try ws.readReport("J").counts == ws.readReport("J", out: "clean").counts)
    }

    /// SIGKILL at several points, each followed by a resume that is killed later in turn: at every
    /// kill, each token in the `.part` is in the vault. Then the last resume matches a clean run.
    @Test func atEveryKillEveryTokenOfTheResultsIsInTheVault() throws {
        let ws = try workspaceWithCleanRun()
        #expect(try ws.run(["init"]).status == 0)
        let part = "out/J.results.csv.gz.part"
        var killsAfterCommits = 0
        for point in 0..<4 {
            let running = try ws.start(["tokenize"] + Self.tuning)
            let before = ws.committedTokenCount() ?? 0
            switch point {
            case 0:
                // As soon as the results file exists: before the first commit.
                ws.waitUntil(running) { FileManager.default.fileExists(atPath: ws.path(part)) }
            default:
                // Some rows after a new commit, with the next transaction open.
                ws.waitUntil(running) { (ws.committedTokenCount() ?? 0) > before }
                usleep(UInt32(point) * 100_000)
            }
            let wasRunning = running.process.isRunning
            running.kill()
            _ = running.wait()
            if wasRunning && point > 0 { killsAfterCommits += 1 }
            if FileManager.default.fileExists(atPath: ws.path(part)) {
                _ = try expectEveryTokenInVault(ws, results: part)
            }
        }
        #expect(killsAfterCommits > 0, "at least one kill landed mid-run")
        let finished = try ws.run(["tokenize"] + Self.tuning)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(
            tokenSharingPattern(try ws.readCSV(ws.path("out/J.results.csv.gz")))
                == tokenSharingPattern(try ws.readCSV(ws.path("clean/J.results.csv.gz"))))
        #expect(try expectEveryTokenInVault(ws, results: "out/J.results.csv.gz") == 60000)
    }

    @Test func defaultJobIDsCarryMillisecondsAndARandomSuffix() throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("in.csv.gz", TestCards.csv([("r1", TestCards.number(serial: 1), "12/39")]))
        var ids = Set<String>()
        for _ in 0..<2 {
            let r = try ws.run(["tokenize", "--create-vault", "--kind", "card", "in.csv.gz"])
            #expect(r.status == 0, "\(r.stderr)")
            let id = try #require(r.stdout.split(separator: " ").dropFirst().first).dropLast()
            #expect(id.wholeMatch(of: /card-\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{6}/) != nil, "\(id)")
            ids.insert(String(id))
        }
        #expect(ids.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: ws.path("out")).filter { $0.hasSuffix(".report.json") }.count == 2)
    }

    @Test func aJobIDReusedWithOtherInputsIsRefusedAndACompletedOneIsLeftUntouched() throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("a.csv.gz", TestCards.csv((1...50).map { ("r\($0)", TestCards.number(serial: $0), "12/39") }))
        try ws.writeGzip("b.csv.gz", TestCards.csv((51...60).map { ("r\($0)", TestCards.number(serial: $0), "12/39") }))
        #expect(try ws.run(["tokenize", "--create-vault", "--kind", "card", "a.csv.gz", "--job-id", "R"]).status == 0)
        let files = ["out/R.results.csv.gz", "out/R.errors.csv.gz", "out/R.report.json", "out/R.report.html"]
        func snapshot() throws -> [String] {
            try files.map { file in
                let attributes = try FileManager.default.attributesOfItem(atPath: ws.path(file))
                let data = try Data(contentsOf: URL(fileURLWithPath: ws.path(file)))
                return
                    "\(data.hashValue) \((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0) \(attributes[.systemFileNumber] ?? 0)"
            }
        }
        let before = try snapshot()
        let tokensBefore = try ws.vaultTokens()

        let other = try ws.run(["tokenize", "--create-vault", "--kind", "card", "b.csv.gz", "--job-id", "R"])
        #expect(other.status == 64)
        #expect(other.stderr.contains("job id R was used for other input files"))
        #expect(try ws.vaultTokens() == tokensBefore, "nothing written to the vault")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: ws.path("out")).sorted()
                == files.map { ($0 as NSString).lastPathComponent }.sorted())

        let stdin = try ws.run(
            ["tokenize", "--create-vault", "--kind", "card", "-", "--job-id", "R"], stdin: Data(try ws.readText(ws.path("a.csv.gz")).utf8))
        #expect(stdin.status == 64)

        let kind = try ws.run(["tokenize", "--create-vault", "--kind", "bank-account", "a.csv.gz", "--job-id", "R"])
        #expect(kind.status == 64)

        let same = try ws.run(["tokenize", "--create-vault", "--kind", "card", "a.csv.gz", "--job-id", "R"])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains("Job R already completed over these inputs"))
        #expect(same.stdout.contains("outputs are untouched"))
        #expect(try snapshot() == before)
        #expect(try ws.readReport("R").status == .completed)
    }

    /// Core dumps would hold card numbers and the master key: the running executable has a core
    /// limit of 0 (soft and hard) and is not dumpable (its /proc files then belong to root).
    @Test func theRunningExecutableCannotDumpCore() throws {
        let ws = try TestWorkspace()
        // As root, /proc/<pid> belongs to root either way: run as nobody to see the difference.
        let asRoot = getuid() == 0
        let setpriv = "/usr/bin/setpriv"
        let launcher =
            asRoot && FileManager.default.isExecutableFile(atPath: setpriv)
            ? [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        if !launcher.isEmpty { chmod(ws.root.path, 0o777) }
        #expect(try ws.run(["init", "--vault", "v.db"]).status == 0)
        if !launcher.isEmpty {
            for file in ["v.db", "v.db-wal", "v.db-shm"] where FileManager.default.fileExists(atPath: ws.path(file)) {
                chown(ws.path(file), 65534, 65534)
            }
        }
        // Reading standard input that stays open keeps it running with the vault open.
        let running = try ws.start(
            ["tokenize", "--create-vault", "--kind", "card", "-", "--vault", "v.db", "--job-id", "core"],
            keepStdinOpen: true, launcher: launcher)
        defer {
            running.closeStdin()
            _ = running.wait()
        }
        let pid = running.process.processIdentifier
        var limits = ""
        #expect(
            ws.waitUntil(running, seconds: 30) {
                limits = (try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)) ?? ""
                // The launcher has exec'd tokenvault once its limits show the core limit it set.
                return limits.contains("Max core file size")
                    && (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8))?.contains("--job-id") == true
                    && FileManager.default.fileExists(atPath: ws.path("v.db-wal"))
            })
        let core = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") })
        let fields = core.split(separator: " ", omittingEmptySubsequences: true)
        #expect(fields.count >= 6 && fields[4] == "0" && fields[5] == "0", "soft and hard core limits 0: \(core)")

        guard !asRoot || !launcher.isEmpty else { return }
        var info = stat()
        #expect(stat("/proc/\(pid)/status", &info) == 0)
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let uidLine = try #require(status.split(separator: "\n").first { $0.hasPrefix("Uid:") })
        #expect(!uidLine.contains("\t0\t"), "the process runs as an ordinary user: \(uidLine)")
        #expect(info.st_uid == 0, "not dumpable: its /proc files belong to root")
    }

    @Test func aMissingVaultIsNeverCreatedByAccident() throws {
        let ws = try TestWorkspace()
        try ws.writeGzip("in.csv.gz", TestCards.csv([("r1", TestCards.number(serial: 1), "12/39")]))
        try FileManager.default.createDirectory(atPath: ws.path("jobs"), withIntermediateDirectories: true)
        try ws.writePlain("jobs/j.json", #"{ "name": "j", "kind": "card", "inputs": ["*.csv.gz"], "vault": "typo.db" }"#)
        let nothing = try FileManager.default.contentsOfDirectory(atPath: ws.root.path).sorted()
        for command in [
            ["tokenize", "--kind", "card", "in.csv.gz", "--vault", "typo.db"], ["run", "jobs/j.json"],
            ["report", "--vault", "typo.db"], ["keys", "status", "--vault", "typo.db"],
        ] {
            let r = try ws.run(command, environment: ["TOKENVAULT_MASTER_KEY": ""])
            #expect(r.status == 66, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("typo.db"), "names the path")
            #expect(try FileManager.default.contentsOfDirectory(atPath: ws.root.path).sorted() == nothing, "\(command) created nothing")
        }
        let created = try ws.run(["tokenize", "--kind", "card", "in.csv.gz", "--vault", "new.db", "--create-vault"])
        #expect(created.status == 0, "\(created.stderr)")
        try ws.writePlain(
            "jobs/k.json", #"{ "name": "k", "kind": "card", "inputs": ["*.csv.gz"], "vault": "job.db", "create_vault": true }"#)
        #expect(try ws.run(["run", "jobs/k.json"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: ws.path("new.db")) && FileManager.default.fileExists(atPath: ws.path("job.db")))
    }

    /// Mounts a small tmpfs at `path` (root only; nil where mounting is not allowed).
    func mountTmpfs(_ path: String, options: String) -> Bool {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", options, "tmpfs", path]
        mount.standardError = FileHandle.nullDevice
        guard (try? mount.run()) != nil else { return false }
        mount.waitUntilExit()
        return mount.terminationStatus == 0
    }

    func unmount(_ path: String) {
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = [path]
        try? umount.run()
        umount.waitUntilExit()
    }

    /// A full disk (the output folder on a 1 MB tmpfs): exit 74 naming the file, the vault
    /// consistent with its committed rows reported, every token written in the vault; the same
    /// job id finishes once there is room.
    @Test func aFullDiskFailsCleanlyAndTheSameJobIDFinishes() throws {
        let ws = try workspaceWithCleanRun()
        guard mountTmpfs(ws.path("full"), options: "size=1m") else { return }
        defer { unmount(ws.path("full")) }
        #expect(try ws.run(["init"]).status == 0)
        let full = try ws.run(["tokenize", "--out", "full"] + Self.tuning)
        #expect(full.status == 74, "\(full.stderr)")
        #expect(full.stderr.contains("full/J.results.csv.gz.part") && full.stderr.contains("No space left"), "\(full.stderr)")
        _ = try expectEveryTokenInVault(ws, results: "full/J.results.csv.gz.part")
        let ledger = try ws.run(["report", "J", "--format", "json"])
        #expect(ledger.status == 0, "the vault reconciles: \(ledger.stdout)")
        #expect(ledger.stdout.contains("\"failed\""))

        unmount(ws.path("full"))
        let finished = try ws.run(["tokenize", "--out", "full"] + Self.tuning)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(
            tokenSharingPattern(try ws.readCSV(ws.path("full/J.results.csv.gz")))
                == tokenSharingPattern(try ws.readCSV(ws.path("clean/J.results.csv.gz"))))
    }

    /// A read-only output folder: 73 naming it, before the vault is touched.
    @Test func aReadOnlyOutputFolderIsRefusedNamingIt() throws {
        let ws = try TestWorkspace()
        guard mountTmpfs(ws.path("ro"), options: "ro,size=64k") else { return }
        defer { unmount(ws.path("ro")) }
        try ws.writeGzip("in.csv.gz", TestCards.csv([("r1", TestCards.number(serial: 1), "12/39")]))
        #expect(try ws.run(["init"]).status == 0)
        let r = try ws.run(["tokenize", "--kind", "card", "in.csv.gz", "--out", "ro", "--job-id", "ro"])
        #expect(r.status == 73, "\(r.stderr)")
        #expect(r.stderr.contains("ro/ro.results.csv.gz.part"))
        #expect(try ws.vaultTokens().isEmpty)
    }

    /// The output folder removed during a run: 73/74 naming the path, the run recorded failed,
    /// and the same job id finishes it.
    @Test func aRemovedOutputFolderFailsCleanlyAndTheSameJobIDFinishes() throws {
        let ws = try workspaceWithCleanRun()
        #expect(try ws.run(["init"]).status == 0)
        let running = try ws.start(["tokenize", "--out", "gone"] + Self.tuning)
        #expect(ws.waitUntil(running) { (ws.committedTokenCount() ?? 0) > 0 })
        try FileManager.default.removeItem(atPath: ws.path("gone"))
        let failed = running.wait()
        #expect(failed.status == 73 || failed.status == 74, "\(failed.stderr)")
        #expect(failed.stderr.contains("gone/J."), "\(failed.stderr)")
        let ledger = try ws.run(["report", "J", "--format", "json"])
        #expect(ledger.status == 0 && ledger.stdout.contains("\"failed\""), "\(ledger.stdout)")
        let finished = try ws.run(["tokenize", "--out", "gone"] + Self.tuning)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(
            tokenSharingPattern(try ws.readCSV(ws.path("gone/J.results.csv.gz")))
                == tokenSharingPattern(try ws.readCSV(ws.path("clean/J.results.csv.gz"))))
    }

    /// `run` stopped by SIGTERM: 143, the file not archived, and the next `run` resumes it.
    @Test func aJobStoppedBySIGTERMIsResumedByTheNextRun() throws {
        let ws = try TestWorkspace()
        for folder in ["jobs", "incoming"] {
            try FileManager.default.createDirectory(atPath: ws.path(folder), withIntermediateDirectories: true)
        }
        try ws.writePlain(
            "jobs/n.json", #"{ "name": "n", "kind": "card", "inputs": ["incoming/*.csv.gz"], "create_vault": true, "archive_dir": "done" }"#
        )
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "60000", "--seed", "7", "--out", "incoming/big.csv.gz"]).status == 0)
        let running = try ws.start(["run", "jobs/n.json", "--concurrency", "2", "--commit-every", "5000"])
        #expect(ws.waitUntil(running) { (ws.committedTokenCount() ?? 0) > 0 })
        running.signal(SIGTERM)
        let stopped = running.wait()
        #expect(stopped.status == 143, "\(stopped.stderr)")
        let id = "n-\(Timestamp.compact(Date()).prefix(8))-1"
        #expect(try ws.readReport(id, out: "out/n").status == .interrupted)
        #expect(FileManager.default.fileExists(atPath: ws.path("incoming/big.csv.gz")), "not archived")
        _ = try expectEveryTokenInVault(ws, results: "out/n/\(id).results.csv.gz.part")
        let resumed = try ws.run(["run", "jobs/n.json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("Resumed: Job \(id)"))
        #expect(try ws.readReport(id, out: "out/n").counts.rows == 60000)
        #expect(FileManager.default.fileExists(atPath: ws.path("done/big.csv.gz")))
    }
}
