import Foundation

extension ReconciliationReport {
    /// Who ran a run, on which machine, with which tool and master key (its public id only).
    public struct Provenance: Codable, Sendable, Equatable {
        public var toolVersion: String
        public var masterKeyID: String
        /// The OS user.
        public var operatorName: String
        public var host: String

        public init(toolVersion: String, masterKeyID: String, operatorName: String, host: String) {
            self.toolVersion = toolVersion
            self.masterKeyID = masterKeyID
            self.operatorName = operatorName
            self.host = host
        }

        /// This process: the build's version and commit, the OS user and the host name.
        static func current(masterKeyID: String) -> Provenance {
            Provenance(
                toolVersion: BuildInfo.versionWithCommit, masterKeyID: masterKeyID,
                operatorName: ProcessIdentity.user, host: ProcessIdentity.host)
        }

        enum CodingKeys: String, CodingKey {
            case toolVersion = "tool_version"
            case masterKeyID = "master_key_id"
            case operatorName = "operator"
            case host
        }
    }

    /// Rows done after so many seconds; encoded as a pair `[seconds, rows]` to keep reports small.
    public struct ProgressSample: Codable, Sendable, Equatable {
        public var seconds: Double
        public var rows: Int

        public init(seconds: Double, rows: Int) {
            self.seconds = seconds
            self.rows = rows
        }

        public init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            seconds = try container.decode(Double.self)
            rows = try container.decode(Int.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            try container.encode((seconds * 1000).rounded() / 1000)
            try container.encode(rows)
        }
    }

    /// Where a run wrote its results and how it read its inputs, so that `verify JOB_ID` needs
    /// nothing more than the job id.
    public struct RecordedOutputs: Codable, Sendable, Equatable {
        public struct File: Codable, Sendable, Equatable {
            /// An absolute path.
            public var path: String
            public var sha256: String
            public var bytes: Int
        }

        public var results: File
        /// Input formats, in input order (`csv`, `jsonl`).
        public var inputFormats: [String]
        /// The CSV delimiter, as one character.
        public var delimiter: String
        /// `--map FIELD=COLUMN` overrides, field → column.
        public var columnMap: [String: String]

        enum CodingKeys: String, CodingKey {
            case results
            case inputFormats = "input_formats"
            case delimiter
            case columnMap = "column_map"
        }
    }
}
