import Testing

@testable import TokenVault

/// Which store a vault string picks, and how a URL is shown.
@Suite struct VaultLocationTests {
    @Test(arguments: [
        ("vault.db", VaultLocation.sqlite(path: "vault.db")),
        ("/var/lib/tv/vault.db", .sqlite(path: "/var/lib/tv/vault.db")),
        ("postgresql://tv@db.example/vault", .postgreSQL(url: "postgresql://tv@db.example/vault")),
        ("postgres://tv@db.example/vault", .postgreSQL(url: "postgres://tv@db.example/vault")),
        ("POSTGRESQL://tv@db/vault", .postgreSQL(url: "POSTGRESQL://tv@db/vault")),
        ("postgresql.db", .sqlite(path: "postgresql.db")),
    ])
    func picksTheStore(text: String, location: VaultLocation) {
        #expect(VaultLocation(text) == location)
    }

    @Test(arguments: [
        (
            "postgresql://tv:s3cr3t@db.example:5432/vault?sslmode=verify-full",
            "postgresql://tv:***@db.example:5432/vault?sslmode=verify-full"
        ),
        ("postgres://tv:p@ss/w:rd@db/vault", "postgres://tv:***@db/vault"),
        ("postgresql://db/vault?user=tv&password=s3cr3t&sslmode=require", "postgresql://db/vault?user=tv&password=***&sslmode=require"),
        ("postgresql://tv@db/vault?sslpassword=s3cr3t", "postgresql://tv@db/vault?sslpassword=***"),
        ("postgresql://tv@db/vault", "postgresql://tv@db/vault"),
    ])
    func aPasswordIsNeverShown(url: String, shown: String) {
        let redacted = VaultLocation(url).displayName
        #expect(redacted == shown)
        #expect(!redacted.contains("s3cr3t") && !redacted.contains("p@ss"))
    }

    @Test func libpqMessagesAreScrubbedOfTheURLsSecrets() {
        let secrets = ConnectionURL.secrets(of: "postgresql://tv:p%40ss@db/vault?sslpassword=k3y&sslmode=require")
        #expect(Set(secrets) == ["p%40ss", "p@ss", "k3y"])
        let scrubbed = ConnectionURL.scrub("password authentication failed (p@ss) with k3y", secrets: secrets)
        #expect(scrubbed == "password authentication failed (***) with ***")
        #expect(ConnectionURL.secrets(of: "postgresql://tv@db/vault").isEmpty)
    }

    @Test func aFileVaultIsShownAsItsPath() {
        #expect(VaultLocation("data/vault.db").displayName == "data/vault.db")
    }
}
