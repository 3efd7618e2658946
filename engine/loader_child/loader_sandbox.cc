#include "engine/loader_child/loader_sandbox.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "engine/loader_child/loader_protocol.h"

namespace ganserve {
namespace {

// What parsing a model file needs: reading it, the allocator, stdio on the
// two pipes, the locks and clocks glibc and HDF5 use, and leaving.
constexpr int kAllowed[] = {
    SCMP_SYS(read),   SCMP_SYS(pread64),       SCMP_SYS(readv),        SCMP_SYS(lseek),
    SCMP_SYS(close),  SCMP_SYS(fstat),         SCMP_SYS(newfstatat),   SCMP_SYS(statx),
    SCMP_SYS(stat),   SCMP_SYS(lstat),         SCMP_SYS(readlink),     SCMP_SYS(getcwd),
    SCMP_SYS(flock),  SCMP_SYS(fcntl),         SCMP_SYS(mmap),         SCMP_SYS(munmap),
    SCMP_SYS(mremap), SCMP_SYS(mprotect),      SCMP_SYS(madvise),      SCMP_SYS(brk),
    SCMP_SYS(futex),  SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(getpid),
    SCMP_SYS(gettid), SCMP_SYS(getrandom),     SCMP_SYS(sched_yield),  SCMP_SYS(rt_sigreturn),
    SCMP_SYS(exit),   SCMP_SYS(exit_group),
};

// Async-signal-safe: the call's number as the last stderr line, then out.
void OnForbiddenSyscall(int, siginfo_t* info, void*) {
  char line[48];
  char digits[16];
  int length = 0;
  unsigned number = static_cast<unsigned>(info->si_syscall);
  do {
    digits[length++] = static_cast<char>('0' + number % 10);
    number /= 10;
  } while (number != 0 && length < 15);
  size_t at = 0;
  line[at++] = '\n';
  for (const char* c = kForbiddenSyscallLine; *c != '\0'; ++c) line[at++] = *c;
  while (length > 0) line[at++] = digits[--length];
  line[at++] = '\n';
  (void)!write(STDERR_FILENO, line, at);
  _exit(kLoaderExitForbiddenSyscall);
}

bool Fail(std::string* error, const char* what, int code) {
  *error = std::string(what) + ": " + std::strerror(-code);
  return false;
}

}  // namespace

bool LoaderSandbox::Build(std::string* error) {
  scmp_filter_ctx filter = seccomp_init(SCMP_ACT_TRAP);
  if (filter == nullptr) return Fail(error, "seccomp_init", -ENOMEM);
  int rc = 0;
  for (int call : kAllowed) {
    if (rc == 0) rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, call, 0);
  }
  // Writes only to the answer and refusal pipes; files only read.
  for (int fd : {STDOUT_FILENO, STDERR_FILENO}) {
    if (rc == 0)
      rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(write), 1, SCMP_A0(SCMP_CMP_EQ, fd));
    if (rc == 0)
      rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(writev), 1, SCMP_A0(SCMP_CMP_EQ, fd));
  }
  constexpr scmp_datum_t kWriting = O_ACCMODE | O_CREAT | O_TRUNC;
  if (rc == 0) {
    rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
                          SCMP_A2(SCMP_CMP_MASKED_EQ, kWriting, O_RDONLY));
  }
  if (rc == 0) {
    rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
                          SCMP_A1(SCMP_CMP_MASKED_EQ, kWriting, O_RDONLY));
  }
  // stdio asks whether stderr is a terminal.
  if (rc == 0) {
    rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, TCGETS));
  }
  // The program as BPF, through a pipe: libseccomp 2.5 exports only to a file descriptor.
  int pipe_fds[2] = {-1, -1};
  if (rc == 0 && pipe(pipe_fds) != 0) rc = -errno;
  if (rc == 0) rc = seccomp_export_bpf(filter, pipe_fds[1]);
  seccomp_release(filter);
  if (pipe_fds[1] >= 0) close(pipe_fds[1]);
  std::string bytes;
  char buffer[4096];
  for (ssize_t n; pipe_fds[0] >= 0 && (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    bytes.append(buffer, static_cast<size_t>(n));
  }
  if (pipe_fds[0] >= 0) close(pipe_fds[0]);
  if (rc != 0) return Fail(error, "building the seccomp filter", rc);
  program_.resize(bytes.size() / sizeof(sock_filter));
  std::memcpy(program_.data(), bytes.data(), program_.size() * sizeof(sock_filter));
  return !program_.empty() || Fail(error, "building the seccomp filter", -EINVAL);
}

bool LoaderSandbox::Enter(std::string* error) const {
  struct sigaction action {};
  action.sa_sigaction = OnForbiddenSyscall;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGSYS, &action, nullptr) != 0) return Fail(error, "sigaction(SIGSYS)", -errno);
  const sock_fprog program{static_cast<unsigned short>(program_.size()),
                           const_cast<sock_filter*>(program_.data())};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
    return Fail(error, "installing the seccomp filter", -errno);
  }
  return true;
}

std::string SyscallName(int number) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, number);
  std::string named =
      std::string(name != nullptr ? name : "unknown") + " (" + std::to_string(number) + ")";
  std::free(name);
  return named;
}

}  // namespace ganserve
