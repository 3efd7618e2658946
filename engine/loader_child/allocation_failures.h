// Whether the loader child ran out of memory: under its address-space limit
// an allocation fails, and a C library reports that in its own words
// ("Malloc failure") or as some other error. The child checks this before it
// reports a refusal, so the server can say the memory limit was hit.
#ifndef GANSERVE_ENGINE_LOADER_CHILD_ALLOCATION_FAILURES_H_
#define GANSERVE_ENGINE_LOADER_CHILD_ALLOCATION_FAILURES_H_

namespace ganserve {

// True once malloc, calloc, realloc or an aligned allocation of this process
// returned null for a non-zero size.
bool AnAllocationFailed();

// A library that fails an allocation may crash on the null it got (HDF5
// does): from now on SIGSEGV, SIGBUS or SIGABRT after a failed allocation
// exits with `exit_code` instead; without one the signal kills as before.
void ExitOnCrashAfterAllocationFailure(int exit_code);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADER_CHILD_ALLOCATION_FAILURES_H_
