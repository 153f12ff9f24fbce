#ifndef TOKENVAULT_CPROCESS_SHIM_H
#define TOKENVAULT_CPROCESS_SHIM_H

// prctl(2) is variadic, which Swift cannot call: these fixed-arity wrappers can be.
#ifdef __linux__
#include <sys/prctl.h>

/// Marks the process not dumpable: no core file, and /proc/<pid>/mem, environ and ptrace
/// are closed to other processes of the same user.
static inline int tokenvault_disable_dumpable(void) { return prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L); }

#endif

#endif
