import Foundation
import Testing

@testable import TokenVault

/// Issue 11 item 1: one type creates every output, never through a symlink.
@Suite struct OutputFileTests {
    func mode(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
    }

    @Test func writesUnderATemporaryNameWithMode0600ThenRenames() throws {
        let ws = try TestWorkspace()
        let old = umask(0)
        defer { umask(old) }
        let file = try OutputFile(path: ws.path("a.csv"))
        #expect(mode(ws.path("a.csv.part")) == 0o600)
        try file.write(Array("x\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: ws.path("a.csv")))
        try file.complete()
        #expect(try String(contentsOfFile: ws.path("a.csv"), encoding: .utf8) == "x\n")
        #expect(mode(ws.path("a.csv")) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: ws.path("a.csv.part")))
    }

    @Test func aStaleRegularTemporaryFileIsReplaced() throws {
        let ws = try TestWorkspace()
        try ws.writePlain("a.csv.part", "stale")
        try OutputFile.writeAtomically(Array("new".utf8), to: ws.path("a.csv"))
        #expect(try String(contentsOfFile: ws.path("a.csv"), encoding: .utf8) == "new")
    }

    @Test(arguments: ["a.csv", "a.csv.part"])
    func aSymlinkAtEitherNameIsRefusedAndNotFollowed(link: String) throws {
        let ws = try TestWorkspace()
        try ws.writePlain("victim", "untouched")
        try FileManager.default.createSymbolicLink(atPath: ws.path(link), withDestinationPath: ws.path("victim"))
        let error = #expect(throws: TokenVaultError.self) { try OutputFile.writeAtomically(Array("secret".utf8), to: ws.path("a.csv")) }
        #expect(error?.code == .cannotCreateOutput)
        #expect(error?.message.contains("symbolic link") == true)
        #expect(try String(contentsOfFile: ws.path("victim"), encoding: .utf8) == "untouched")
    }

    @Test func aTemporaryFileSwappedWhileWrittenIsNotRenamedIntoPlace() throws {
        let ws = try TestWorkspace()
        let file = try OutputFile(path: ws.path("a.csv"))
        try file.write(Array("secret".utf8))
        unlink(ws.path("a.csv.part"))
        try FileManager.default.createSymbolicLink(atPath: ws.path("a.csv.part"), withDestinationPath: ws.path("elsewhere"))
        #expect(throws: TokenVaultError.self) { try file.complete() }
        #expect(!FileManager.default.fileExists(atPath: ws.path("a.csv")))
    }

    @Test(arguments: ["-", "out/-"])
    func aFileNamedDashIsNeverCreated(name: String) throws {
        let ws = try TestWorkspace()
        let error = #expect(throws: TokenVaultError.self) { try OutputFile(path: ws.path(name)) }
        #expect(error?.code == .usage)
        #expect(!FileManager.default.fileExists(atPath: ws.path(name)))
        #expect(!FileManager.default.fileExists(atPath: ws.path(name + ".part")))
    }
}

/// Issue 11 item 13: detokenize's outcome codes are a closed set with stable raw values.
@Suite struct DetokenizeOutcomeTests {
    @Test func rawValuesAreStable() {
        #expect(
            DetokenizeOutcome.allCases.map(\.rawValue) == [
                "DETOKENIZED", "MALFORMED_RECORD", "MISSING_FIELD", "INVALID_FORMAT", "TOKEN_NOT_FOUND",
                "TOKEN_DELETED", "KIND_MISMATCH", "VAULT_RECORD_UNREADABLE",
            ])
        #expect(DetokenizeOutcome.tokenNotFound.errorText(kind: nil, problem: nil) == "TOKEN_NOT_FOUND: the vault has no such token")
        #expect(DetokenizeOutcome.detokenized.errorText(kind: nil, problem: nil) == nil)
        #expect(DetokenizeOutcome.kindMismatch.errorText(kind: .card, problem: nil) == "KIND_MISMATCH: the token is not a card")
    }
}
