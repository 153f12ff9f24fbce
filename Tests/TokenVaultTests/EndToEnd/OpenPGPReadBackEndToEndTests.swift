import Foundation
import Testing

@testable import TokenVault

/// Commands that read a run's files back (`verify`, `delete`) read OpenPGP inputs and
/// `--encrypt-to` results through the same input chain as `tokenize` (SPEC §11).
@Suite struct OpenPGPReadBackEndToEndTests {
    let keys = OpenPGPTestKeys.shared
    var gnupg: [String: String] { ["GNUPGHOME": keys.home] }

    /// A vault and run `e` over an input encrypted to the RSA key, its outputs encrypted to it too.
    func encryptedRun(rows: Int = 600) throws -> TestWorkspace {
        let ws = try TestWorkspace()
        #expect(try ws.run(["sample", "--kind", "card", "--rows", "\(rows)", "--seed", "23", "--out", "cards.csv.gz"]).status == 0)
        let clear = try ws.readText(ws.path("cards.csv.gz"))
        try Data(try keys.encrypt(Array(clear.utf8), to: [keys.rsa], signer: keys.curve)).write(
            to: URL(fileURLWithPath: ws.path("in.csv.gpg")))
        #expect(try ws.run(["init", "--vault", "v.db"]).status == 0)
        let run = try ws.run(
            [
                "tokenize", "--kind", "card", "in.csv.gpg", "--vault", "v.db", "--job-id", "e",
                "--encrypt-to", keys.rsa,
            ], environment: gnupg)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: ws.path("out/e.results.csv.gz.gpg")))
        return ws
    }

    /// The results file, decrypted and unzipped by gpg and the test (as a partner would).
    func clearResults(_ ws: TestWorkspace) throws -> String {
        let gzip = try keys.decrypt(Array(try Data(contentsOf: URL(fileURLWithPath: ws.path("out/e.results.csv.gz.gpg")))))
        try Data(gzip).write(to: URL(fileURLWithPath: ws.path("clear-results.csv.gz")))
        return try ws.readText(ws.path("clear-results.csv.gz"))
    }

    @Test func verifyReadsEncryptedInputsAndResults() throws {
        let ws = try encryptedRun()
        let byJob = try ws.run(["verify", "e", "--vault", "v.db"], environment: gnupg)
        #expect(byJob.status == 0, "\(byJob.stdout)\(byJob.stderr)")
        #expect(byJob.stdout.contains("Verified 600 rows"), "\(byJob.stdout)")
        #expect(byJob.stdout.contains(", 0 mismatches."))
        let byFiles = try ws.run(
            [
                "verify", "--kind", "card", "--input", "in.csv.gpg", "--results", "out/e.results.csv.gz.gpg",
                "--vault", "v.db",
            ], environment: gnupg)
        #expect(byFiles.status == 0, "\(byFiles.stdout)\(byFiles.stderr)")
        // The key from a file alone, in an empty GnuPG home; without any key: 77.
        let empty = ws.path("empty-gnupg")
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let fromFile = try ws.run(
            ["verify", "e", "--vault", "v.db", "--pgp-secret-key", keys.file("rsa.sec")],
            environment: ["GNUPGHOME": empty, "TMPDIR": ws.path("")])
        #expect(fromFile.status == 0, "\(fromFile.stdout)\(fromFile.stderr)")
        let noKey = try ws.run(["verify", "e", "--vault", "v.db"], environment: ["GNUPGHOME": empty])
        #expect(noKey.status == 77, "\(noKey.stdout)\(noKey.stderr)")
    }

    /// A token changed inside the encrypted results: the file no longer has the recorded hash,
    /// and read row by row (through decryption) the changed row is named.
    @Test func verifyFailsOnATamperedEncryptedResult() throws {
        let ws = try encryptedRun()
        let text = try clearResults(ws)
        var lines = CSVTestParser.parse(text)
        let header = lines[0]
        let tokenColumn = try #require(header.firstIndex(of: "token"))
        let statusColumn = try #require(header.firstIndex(of: "status"))
        let rowColumn = try #require(header.firstIndex(of: "row"))
        let tampered = try #require(lines.indices.dropFirst().first { lines[$0][statusColumn] == "new" })
        let donor = try #require(
            lines.indices.dropFirst().last { lines[$0][statusColumn] == "new" && lines[$0][tokenColumn] != lines[tampered][tokenColumn] })
        lines[tampered][tokenColumn] = lines[donor][tokenColumn]
        let changed = lines.map { CSVText.line($0) }.joined()
        let message = try keys.encrypt(Array(changed.utf8), to: [keys.rsa])
        try Data(message).write(to: URL(fileURLWithPath: ws.path("out/e.results.csv.gz.gpg")))

        let byJob = try ws.run(["verify", "e", "--vault", "v.db"], environment: gnupg)
        #expect(byJob.status == 1, "\(byJob.stdout)\(byJob.stderr)")
        #expect(byJob.stdout.contains("is not the results file run e wrote"))
        let row = lines[tampered][rowColumn]
        #expect(byJob.stdout.contains("row \(row) "), "\(byJob.stdout)")
        let byFiles = try ws.run(
            [
                "verify", "--kind", "card", "--input", "in.csv.gpg", "--results", "out/e.results.csv.gz.gpg",
                "--vault", "v.db",
            ], environment: gnupg)
        #expect(byFiles.status == 1, "\(byFiles.stdout)\(byFiles.stderr)")
        #expect(byFiles.stdout.contains("row \(row) "), "\(byFiles.stdout)")
        #expect(byFiles.stdout.contains(", 1 mismatches.") || byFiles.stdout.contains(", 2 mismatches."), "\(byFiles.stdout)")
    }

    /// `delete` takes an encrypted results file as its token file.
    @Test func deleteReadsAnEncryptedResultsFile() throws {
        let ws = try encryptedRun(rows: 200)
        let newTokens = Set(CSVTestParser.parse(try clearResults(ws)).dropFirst().filter { $0[2] == "new" }.map { $0[3] })
        let run = try ws.run(["delete", "--input", "out/e.results.csv.gz.gpg", "--reason", "other", "--vault", "v.db"], environment: gnupg)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Deleted \(newTokens.count) tokens"), "\(run.stdout)")
    }
}
