import Foundation
import Testing

@testable import TokenVault

/// The command line people expect: `--version`, shell completions (issue 14).
@Suite struct CommandLineEndToEndTests {
    @Test func versionNamesTheCommitAndTheLinkedLibraries() throws {
        let ws = try TestWorkspace()
        let r = try ws.run(["--version"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "tokenvault \(BuildInfo.version)")
        #expect(lines.contains { $0.wholeMatch(of: /commit ([0-9a-f]{12}(-modified)?|unknown)/) != nil }, "\(lines)")
        #expect(lines.contains { $0.wholeMatch(of: /SQLite 3\.\d+\.\d+/) != nil }, "\(lines)")
        #expect(lines.contains { $0.wholeMatch(of: /zlib 1\.\d+(\.\d+)*/) != nil }, "\(lines)")
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsKnowTheSubcommands(shell: String) throws {
        let ws = try TestWorkspace()
        let r = try ws.run(["--generate-completion-script", shell])
        #expect(r.status == 0)
        for word in ["tokenize", "report", "verify", "keys", "since", "html"] {
            #expect(r.stdout.contains(word), "\(shell) completion lacks \(word)")
        }
    }
}
