/// An input a run is about to read, recorded at its start so that a crashed run can be
/// recognised by the file's content hash and resumed.
struct PlannedInput: Sendable, Equatable {
    let path: String
    let sha256: String
    let bytes: Int
}
