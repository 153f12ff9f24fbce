#ifndef TOKENVAULT_CPROCESS_SHIM_H
#define TOKENVAULT_CPROCESS_SHIM_H

// prctl(2) is variadic, which Swift cannot call: these fixed-arity wrappers can be.
#ifdef __linux__
#include <sys/prctl.h>

/// Marks the process not dumpable: no core file, and /proc/<pid>/mem, environ and ptrace
/// are closed to other processes of the same user.
static inline int tokenvault_disable_dumpable(void) { return prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L); }

#endif

#ifdef __GLIBC__
#include <malloc.h>

/// Hands the allocator's free pages back to the kernel (glibc keeps freed small blocks, such as
/// SQLite's cache pages, resident): the vault writer calls it when it shrinks the page cache.
static inline void tokenvault_release_free_memory(void) { (void)malloc_trim(0); }
#else
static inline void tokenvault_release_free_memory(void) {}
#endif

#endif
