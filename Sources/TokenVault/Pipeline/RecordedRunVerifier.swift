import Foundation

/// `tokenvault verify JOB_ID`: proves a run's results from what the vault recorded about it.
///
/// The run's report (in the vault) names every input by path and SHA-256, the results file by
/// path and SHA-256, and how the inputs were read. Each file must still have the recorded
/// hash (a moved input can be given anew; it is recognised by its hash), and every row must
/// map to the token the vault holds (`ResultVerifier`).
public struct RecordedRunVerifier {
    public struct Outcome: Sendable {
        /// Files that differ from what the run recorded (a tampered or replaced file).
        public var fileProblems: [String] = []
        public var inputs: [(path: String, outcome: ResultVerifier.Outcome)] = []
        public var resultsPath = ""
        public var passed: Bool { fileProblems.isEmpty && inputs.allSatisfy { $0.outcome.mismatches.isEmpty } }
    }

    private let vault: Vault
    private let jobID: String
    private let inputOverrides: [String]
    private let resultsOverride: String?
    private let openPGP: OpenPGPSettings

    /// - Parameters:
    ///   - inputOverrides: input files at new places; each replaces the recorded input with the same SHA-256.
    ///   - resultsOverride: the results file at a new place.
    ///   - openPGP: keys for OpenPGP inputs and a results file written with `--encrypt-to`.
    public init(
        vault: Vault, jobID: String, inputOverrides: [String] = [], resultsOverride: String? = nil,
        openPGP: OpenPGPSettings = OpenPGPSettings()
    ) {
        self.openPGP = openPGP
        self.vault = vault
        self.jobID = jobID
        self.inputOverrides = inputOverrides
        self.resultsOverride = resultsOverride
    }

    /// - Throws: `usage` for an unknown job id or a run without a report; `inputMissing` when a
    ///   recorded file is gone and none was given in its place.
    public func run() throws -> Outcome {
        guard let run = try vault.records.storedRuns(jobID: jobID).first else {
            throw TokenVaultError(.usage, "the vault has no run with job id \(jobID)")
        }
        guard let report = run.report else {
            throw TokenVaultError(.usage, "run \(jobID) has no report (it is unfinished): run it again with the same job id first")
        }
        guard let recorded = report.outputs else {
            throw TokenVaultError(
                .usage, "run \(jobID) recorded no results file (an older tokenvault): use verify --kind --input --results")
        }
        var outcome = Outcome()

        var given: [String: String] = [:]
        for path in inputOverrides {
            guard FileManager.default.fileExists(atPath: path) else { throw TokenVaultError(.inputMissing, "\(path) does not exist") }
            let digest = try FileDigest.sha256(path: path)
            guard report.inputs.contains(where: { $0.sha256 == digest.hex }) else {
                throw TokenVaultError(.usage, "\(path) is not an input of run \(jobID) (no input with its SHA-256 \(digest.hex))")
            }
            given[digest.hex] = path
        }

        let resultsPath = resultsOverride ?? recorded.results.path
        guard FileManager.default.fileExists(atPath: resultsPath) else {
            throw TokenVaultError(.inputMissing, "the results file \(resultsPath) of run \(jobID) does not exist (give --results)")
        }
        outcome.resultsPath = resultsPath
        let resultsDigest = try FileDigest.sha256(path: resultsPath)
        if resultsDigest.hex != recorded.results.sha256 {
            outcome.fileProblems.append(
                "\(resultsPath) is not the results file run \(jobID) wrote: its SHA-256 is \(resultsDigest.hex), the run recorded \(recorded.results.sha256)"
            )
        }

        let mapping = recorded.columnMap.sorted { $0.key < $1.key }.map { ColumnMapping(field: $0.key, column: $0.value) }
        for (index, input) in report.inputs.enumerated() {
            let path = given[input.sha256] ?? input.path
            guard FileManager.default.fileExists(atPath: path) else {
                throw TokenVaultError(
                    .inputMissing, "the input \(input.path) of run \(jobID) does not exist (give its new place with --input)")
            }
            if given[input.sha256] == nil {
                let digest = try FileDigest.sha256(path: path)
                if digest.hex != input.sha256 {
                    outcome.fileProblems.append(
                        "\(path) is not the input run \(jobID) read: its SHA-256 is \(digest.hex), the run recorded \(input.sha256)")
                    continue
                }
            }
            let format = recorded.inputFormats.indices.contains(index) ? RecordFormat(rawValue: recorded.inputFormats[index]) : nil
            let verified = try ResultVerifier(
                vault: vault, kind: report.kind, inputPath: path, resultsPath: resultsPath, format: format,
                delimiter: recorded.delimiter.utf8.first ?? UInt8(ascii: ","), columnMap: mapping,
                recordedInputPath: report.inputs.count > 1 ? input.path : nil, openPGP: openPGP
            ).run()
            outcome.inputs.append((path, verified))
        }
        return outcome
    }
}
