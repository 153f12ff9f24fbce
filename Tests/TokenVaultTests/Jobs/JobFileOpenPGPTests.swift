import Foundation
import Testing

@testable import TokenVault

/// The job file's `pgp` object (SPEC §11): read like the command line, checked as strictly.
@Suite struct JobFileOpenPGPTests {
    func load(_ pgp: String) throws -> JobFile {
        let ws = try TestWorkspace()
        try FileManager.default.createDirectory(atPath: ws.path("jobs"), withIntermediateDirectories: true)
        try ws.writePlain("jobs/j.json", #"{ "name": "j", "kind": "card", "inputs": ["in/*.gpg"], "pgp": "# + pgp + " }")
        return try JobFile.load(ws.path("jobs/j.json"))
    }

    @Test func everyKeyIsRead() throws {
        let fingerprint = String(repeating: "0123456789ABCDEF", count: 3).prefix(40)
        let job = try load(
            """
            { "secret_key": "keys/our.sec", "passphrase_file": "/etc/tokenvault/pass", "require_signature": "0x\(fingerprint.suffix(16))",
              "encrypt_to": ["\(fingerprint)", "keys/partner.asc"] }
            """)
        #expect(job.openPGP.secretKeyFile == job.resolve("keys/our.sec"))
        #expect(job.openPGP.passphraseFile == "/etc/tokenvault/pass")
        #expect(job.openPGP.requiredSigner == (try OpenPGPKeyID(parsing: String(fingerprint.suffix(16)))))
        #expect(
            job.openPGP.recipients == [
                .fingerprint(try OpenPGPKeyID(parsing: String(fingerprint))), .keyFile(job.resolve("keys/partner.asc")),
            ])
    }

    @Test(arguments: [
        (#"{ "secret_keys": "x" }"#, "unknown key 'pgp.secret_keys'"),
        (#"{ "require_signature": "DEADBEEF" }"#, "'pgp.require_signature'"),
        (#"{ "encrypt_to": [] }"#, "'pgp.encrypt_to'"),
        (#"{ "encrypt_to": "keys/partner.asc" }"#, "'pgp.encrypt_to'"),
        (#"{ "secret_key": 7 }"#, "'pgp.secret_key'"),
        (#"["x"]"#, "'pgp' must be an object"),
    ])
    func mistakesAreRefusedNamingTheKey(pgp: String, expected: String) {
        do {
            _ = try load(pgp)
            Issue.record("accepted \(pgp)")
        } catch let error as TokenVaultError {
            #expect(error.code == .usage)
            #expect(error.message.contains(expected), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
