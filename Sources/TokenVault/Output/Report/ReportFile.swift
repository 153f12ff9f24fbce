/// Writes a report a command produced (`report --out FILE`): under a temporary name, renamed
/// when complete, mode 0600 like every report.
public enum ReportFile {
    public static func write(_ text: String, to path: String) throws {
        try OutputFile.writeAtomically(Array(text.utf8), to: path, mode: 0o600)
    }
}
