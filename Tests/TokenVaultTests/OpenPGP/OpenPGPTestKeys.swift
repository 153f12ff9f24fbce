import Foundation
import Synchronization

@testable import TokenVault

/// Throwaway OpenPGP keys for tests, made once per test process in a temporary GnuPG home:
/// an RSA key, a Curve25519 key (Ed25519 + Cv25519) and a Curve25519 key with a passphrase.
///
/// Also exported: each public key, and the RSA and passphrase keys' secret keys (mode 0600),
/// for `--encrypt-to FILE` and `--pgp-secret-key FILE`. The home and its agent go at exit.
final class OpenPGPTestKeys: Sendable {
    static let shared: OpenPGPTestKeys = {
        do { return try OpenPGPTestKeys() } catch { fatalError("cannot make test OpenPGP keys: \(error)") }
    }()

    static let passphrase = "correct horse battery staple"

    let home: String
    let rsa: String
    let curve: String
    let protected: String

    private init() throws {
        var template = Array("/tmp/tv-gpg-test.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TokenVaultError(.io, "mkdtemp failed")
        }
        home = String(cString: made)
        chmod(home, 0o700)
        OpenPGPTestKeys.registerCleanup(home)
        // The protected key first: `%no-protection` holds for every key after it.
        let parameters = """
            Key-Type: EDDSA
            Key-Curve: ed25519
            Key-Usage: sign,cert
            Subkey-Type: ECDH
            Subkey-Curve: cv25519
            Subkey-Usage: encrypt
            Name-Real: Test Passphrase
            Name-Email: pass@test.invalid
            Passphrase: \(OpenPGPTestKeys.passphrase)
            Expire-Date: 0
            %commit
            %no-protection
            Key-Type: RSA
            Key-Length: 2048
            Key-Usage: sign,cert
            Subkey-Type: RSA
            Subkey-Length: 2048
            Subkey-Usage: encrypt
            Name-Real: Test RSA
            Name-Email: rsa@test.invalid
            Expire-Date: 0
            %commit
            %no-protection
            Key-Type: EDDSA
            Key-Curve: ed25519
            Key-Usage: sign,cert
            Subkey-Type: ECDH
            Subkey-Curve: cv25519
            Subkey-Usage: encrypt
            Name-Real: Test Curve
            Name-Email: curve@test.invalid
            Expire-Date: 0
            %commit

            """
        try Data(parameters.utf8).write(to: URL(fileURLWithPath: "\(home)/params"))
        try Self.gpg(home, ["--gen-key", "\(home)/params"])
        let listing = String(decoding: try Self.gpg(home, ["--list-secret-keys", "--with-colons"]), as: UTF8.self)
        var primaries: [String] = []
        var expectFingerprint = false
        for line in listing.split(separator: "\n") {
            if line.hasPrefix("sec:") { expectFingerprint = true; continue }
            if expectFingerprint && line.hasPrefix("fpr:") {
                primaries.append(String(line.split(separator: ":", omittingEmptySubsequences: false)[9]))
                expectFingerprint = false
            }
        }
        guard primaries.count == 3 else { throw TokenVaultError(.io, "expected 3 test keys, got \(primaries.count)") }
        (protected, rsa, curve) = (primaries[0], primaries[1], primaries[2])
        for (name, fingerprint) in [("rsa", rsa), ("curve", curve), ("protected", protected)] {
            try Self.gpg(home, ["--armor", "--output", "\(home)/\(name).pub.asc", "--export", fingerprint])
        }
        try Self.gpg(home, ["--output", "\(home)/rsa.sec", "--export-secret-keys", rsa])
        try Self.gpg(home, ["--output", "\(home)/curve.sec", "--export-secret-keys", curve])
        try Self.gpg(
            home,
            [
                "--pinentry-mode", "loopback", "--passphrase", OpenPGPTestKeys.passphrase,
                "--armor", "--output", "\(home)/protected.sec.asc", "--export-secret-keys", protected,
            ])
        try Data((OpenPGPTestKeys.passphrase + "\n").utf8).write(to: URL(fileURLWithPath: "\(home)/passphrase"))
        for file in ["rsa.sec", "curve.sec", "protected.sec.asc", "passphrase"] { chmod("\(home)/\(file)", 0o600) }
    }

    /// An exported file of the test home (`rsa.pub.asc`, `protected.sec.asc`, `passphrase`...).
    func file(_ name: String) -> String { "\(home)/\(name)" }

    /// Encrypts `clear` with the gpg command line, as a partner would.
    ///
    /// - Parameters:
    ///   - recipients: fingerprints in this home.
    ///   - signer: a fingerprint whose key signs the message.
    func encrypt(_ clear: [UInt8], to recipients: [String], signer: String? = nil, armor: Bool = false) throws -> [UInt8] {
        var arguments = ["--trust-model", "always", "--encrypt"]
        for recipient in recipients { arguments += ["--recipient", recipient] }
        if let signer { arguments += ["--sign", "--local-user", signer] }
        if armor { arguments.append("--armor") }
        return try Self.gpg(home, arguments, input: clear)
    }

    /// Decrypts with the gpg command line, as a partner would.
    func decrypt(_ message: [UInt8], home other: String? = nil) throws -> [UInt8] {
        try Self.gpg(other ?? home, ["--decrypt"], input: message)
    }

    /// Runs gpg in batch mode on `home`; returns its standard output.
    @discardableResult
    static func gpg(_ home: String, _ arguments: [String], input: [UInt8] = []) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gpg")
        process.arguments = ["--homedir", home, "--batch", "--yes", "--quiet"] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TokenVaultError(.io, "gpg \(arguments.first ?? "") failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return Array(output)
    }

    /// Stops the test home's agent and removes the home when the test process exits.
    private static func registerCleanup(_ home: String) {
        cleanupHome.withLock { $0 = home }
        atexit {
            guard let home = OpenPGPTestKeys.cleanupHome.withLock({ $0 }) else { return }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/gpgconf")
            process.arguments = ["--homedir", home, "--kill", "all"]
            if (try? process.run()) != nil { process.waitUntilExit() }
            try? FileManager.default.removeItem(atPath: home)
        }
    }

    private static let cleanupHome = Mutex<String?>(nil)
}
