// The loader child's seccomp filter (Debian's libseccomp): once entered, the
// process may read files, map memory, write to stdout and stderr and exit.
// Any other system call (a socket, a file opened for writing, an exec) stops
// it with kLoaderExitForbiddenSyscall and the call's number as the last line
// on stderr, so the server can name it.
#ifndef GANSERVE_ENGINE_LOADER_CHILD_LOADER_SANDBOX_H_
#define GANSERVE_ENGINE_LOADER_CHILD_LOADER_SANDBOX_H_

#include <linux/filter.h>

#include <string>
#include <vector>

namespace ganserve {

// Built before the memory limit is set (libseccomp allocates, and crashes
// when it cannot), entered after it without allocating.
class LoaderSandbox {
 public:
  // False (with why) when libseccomp cannot build the filter.
  bool Build(std::string* error);
  // False (with why) when the kernel refuses it.
  bool Enter(std::string* error) const;

 private:
  std::vector<sock_filter> program_;
};

// "socket (41)": the name libseccomp knows for a system call number.
std::string SyscallName(int number);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADER_CHILD_LOADER_SANDBOX_H_
