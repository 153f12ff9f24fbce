import CSQLite
import CZlib

/// What this binary is: its version, the commit it was built from and the C libraries it runs
/// with, for `--version` and for the provenance of every report.
public enum BuildInfo {
    /// The release version.
    public static let version = "0.2.0"

    /// The git commit of the build (`-modified` when the work tree had changes), or `unknown`
    /// when built without git (see `Plugins/BuildCommitPlugin`).
    public static var commit: String { BuildCommit.hash }

    /// `0.2.0 (3f2a9c1d0b7e)`: what reports record as the tool version.
    public static var versionWithCommit: String { "\(version) (\(commit))" }

    /// The C libraries linked, with the versions they report at run time (not the headers').
    /// libpq and GPGME join this list when their targets exist (`PQlibVersion()`,
    /// `gpgme_check_version(nil)`).
    public static var linkedLibraries: [(name: String, version: String)] {
        [
            ("SQLite", String(cString: sqlite3_libversion())),
            ("zlib", String(cString: zlibVersion())),
        ]
    }

    /// The `--version` text: one line per fact.
    public static var versionText: String {
        var lines = ["tokenvault \(version)", "commit \(commit)"]
        for library in linkedLibraries { lines.append("\(library.name) \(library.version)") }
        return lines.joined(separator: "\n")
    }
}
