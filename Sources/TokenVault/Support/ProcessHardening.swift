#if canImport(Glibc)
    import Glibc
#endif
#if os(Linux)
    import CProcess
#endif

/// What the process does at start so that card numbers and keys in its memory never reach a
/// core file or another process of the same user (issue 11).
public enum ProcessHardening {
    /// Sets `RLIMIT_CORE` to 0 (soft and hard, so no child can raise it again) and, on Linux,
    /// marks the process not dumpable (`PR_SET_DUMPABLE` 0): no core dump, not even through a
    /// `core_pattern` pipe, and no `ptrace` or `/proc/<pid>/mem` access by the same user.
    ///
    /// - Returns: the steps that failed, by name (empty when all took effect).
    @discardableResult
    public static func disableCoreDumps() -> [String] {
        var failed: [String] = []
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        if setrlimit(resourceCoreLimit, &none) != 0 { failed.append("RLIMIT_CORE") }
        #if os(Linux)
            if tokenvault_disable_dumpable() != 0 { failed.append("PR_SET_DUMPABLE") }
        #endif
        return failed
    }

    #if os(Linux)
        private static let resourceCoreLimit = __rlimit_resource_t(RLIMIT_CORE.rawValue)
    #else
        private static let resourceCoreLimit = RLIMIT_CORE
    #endif
}
