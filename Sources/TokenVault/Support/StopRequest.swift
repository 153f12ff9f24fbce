import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT and SIGTERM as a request to stop cleanly (SPEC §10): the reader stops at its next
/// batch, what is in flight is committed, the outputs of the committed rows are finished and the
/// report says `interrupted`.
///
/// The handler only stores the signal number (async-signal-safe); it is installed with
/// `SA_RESETHAND`, so a second signal of the same kind ends the process at once, as an operator
/// pressing Ctrl-C twice expects. That is safe too: result lines exist only for committed rows.
public enum StopRequest {
    /// Why a run stopped early.
    public enum Signal: Int32, Sendable {
        case interrupt = 2 // SIGINT: exit 130
        case terminate = 15 // SIGTERM: exit 143
    }

    private static let received = Atomic<Int32>(0)

    /// Installs the handlers and unblocks both signals on the calling thread (a parent may
    /// have started this process with them blocked); call once, on the main thread, at the start
    /// of a command that writes a run.
    public static func installHandlers() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in [SIGINT, SIGTERM] {
            sigaddset(&unblock, number)
            var action = sigaction()
            #if os(Linux)
                action.__sigaction_handler.sa_handler = { number in
                    _ = StopRequest.received.compareExchange(expected: 0, desired: number, ordering: .relaxed)
                }
            #else
                action.__sigaction_u.__sa_handler = { number in
                    _ = StopRequest.received.compareExchange(expected: 0, desired: number, ordering: .relaxed)
                }
            #endif
            action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// The first stop signal received, if any.
    public static var signal: Signal? {
        Signal(rawValue: received.load(ordering: .relaxed))
    }

    /// The error that ends a run stopped by `signal`.
    public static func error(_ signal: Signal, committedRows: Int? = nil) -> TokenVaultError {
        let name = signal == .interrupt ? "SIGINT" : "SIGTERM"
        let rows = committedRows.map { " after \($0) committed rows" } ?? ""
        return TokenVaultError(
            signal == .interrupt ? .interrupted : .terminated,
            "stopped by \(name)\(rows); run again (same job id) to finish")
    }

}
