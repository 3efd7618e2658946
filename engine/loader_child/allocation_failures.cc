// Linked only into ganserve-load: these definitions interpose the C
// allocator for the executable and every shared library it loads (ELF symbol
// interposition), forward to glibc's own implementation, and note a failure.
#include "engine/loader_child/allocation_failures.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <initializer_list>

extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* pointer, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
}

namespace {

// Written from any thread, read once at the end: a relaxed flag is enough.
volatile bool allocation_failed = false;

void* Noted(void* pointer, size_t size) {
  if (pointer == nullptr && size != 0) allocation_failed = true;
  return pointer;
}

volatile int crash_exit_code = 1;

void OnCrash(int signal_number) {
  if (allocation_failed) _exit(crash_exit_code);
  raise(signal_number);  // SA_RESETHAND: the default action, which the parent names
}

}  // namespace

namespace ganserve {

bool AnAllocationFailed() { return allocation_failed; }

void ExitOnCrashAfterAllocationFailure(int exit_code) {
  crash_exit_code = exit_code;
  struct sigaction action {};
  action.sa_handler = OnCrash;
  action.sa_flags = SA_RESETHAND | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGSEGV, SIGBUS, SIGABRT}) sigaction(signal_number, &action, nullptr);
}

}  // namespace ganserve

// AddressSanitizer brings its own malloc (and does not run under RLIMIT_AS):
// a sanitizer build keeps it and never notes a failure.
#ifndef GANSERVE_SANITIZE_ALLOCATOR
extern "C" {

void* malloc(size_t size) { return Noted(__libc_malloc(size), size); }

// An overflowing count * size is a bad request, not the limit: not noted.
void* calloc(size_t count, size_t size) {
  size_t bytes = 0;
  if (__builtin_mul_overflow(count, size, &bytes)) return __libc_calloc(count, size);
  return Noted(__libc_calloc(count, size), bytes);
}

void* realloc(void* pointer, size_t size) { return Noted(__libc_realloc(pointer, size), size); }

void* memalign(size_t alignment, size_t size) {
  return Noted(__libc_memalign(alignment, size), size);
}

void* aligned_alloc(size_t alignment, size_t size) {
  return Noted(__libc_memalign(alignment, size), size);
}

int posix_memalign(void** out, size_t alignment, size_t size) {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* pointer = Noted(__libc_memalign(alignment, size), size);
  if (pointer == nullptr && size != 0) return ENOMEM;
  *out = pointer;
  return 0;
}

}  // extern "C"
#endif  // GANSERVE_SANITIZE_ALLOCATOR
