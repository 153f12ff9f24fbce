/// A failure that ends a command, with a stable code that the CLI maps to an exit status.
///
/// Messages name files, fields and counts, never a card number, IBAN, account number or key:
/// they are printed and logged as they are.
public struct TokenVaultError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is. Callers match on it; the CLI maps it to a sysexits status.
    public enum Code: String, Sendable, CaseIterable {
        /// The command line or a job file is wrong (EX_USAGE).
        case usage
        /// The input cannot be read as a whole: corrupt gzip, CSV header, reject rate (EX_DATAERR).
        case inputData
        /// An input file does not exist or cannot be opened (EX_NOINPUT).
        case inputMissing
        /// An output file or folder cannot be created (EX_CANTCREAT).
        case cannotCreateOutput
        /// Reading or writing failed half-way (EX_IOERR).
        case io
        /// Another writer holds the vault or the job lock (EX_TEMPFAIL).
        case vaultBusy
        /// No master key, or one that does not open this vault (EX_NOPERM).
        case keyMissing
        case keyWrong
        /// The vault file is damaged or of a newer schema than this build knows (EX_SOFTWARE).
        case vaultCorrupt
        /// `verify` found results that do not match the vault.
        case verificationFailed
        /// A run stopped by SIGINT (exit 130) or SIGTERM (exit 143) after committing what it had
        /// read; the same job id resumes it.
        case interrupted
        case terminated
    }

    public var code: Code
    public var message: String
    /// The underlying error, kept for logs; never shown with values of sensitive fields.
    public var underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
}
