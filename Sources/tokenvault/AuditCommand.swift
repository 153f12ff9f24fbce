import ArgumentParser
import Foundation
import TokenVault

/// `tokenvault audit`: who did what to the vault, when (never a number or a key).
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "List the vault's audit trail.")
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var since: SinceOption

    @Option var format: Format = .text

    @OptionGroup var vaultOptions: VaultOptions
    @OptionGroup var reporting: ReportingOptions

    func run() throws {
        try ExitStatus.withRecords(vaultOptions, reporting) { vault in
            let records = try vault.auditEntries(since: since.date)
            if format == .json {
                let objects: [[String: Any]] = records.map { record in
                    var object: [String: Any] = [
                        "at": record.at, "user": record.user, "host": record.host, "command": record.command,
                        "details": (try? JSONSerialization.jsonObject(with: Data(record.details.utf8))) ?? [:],
                    ]
                    if let job = record.jobID { object["job_id"] = job }
                    return object
                }
                print(
                    String(
                        decoding: try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self
                    ))
                return
            }
            for record in records {
                print(
                    "\(record.at)  \(record.user)@\(record.host)  \(record.command)\(record.jobID.map { " [\($0)]" } ?? "")  \(record.details)"
                )
            }
        }
    }
}
