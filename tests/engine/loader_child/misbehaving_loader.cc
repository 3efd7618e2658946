// Stands in for ganserve-load in the parent's tests: same arguments, and the
// model path's name picks how it misbehaves, so each failure the parent must
// tell apart happens for real.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  const std::string mode = argv[3];
  if (mode == "crash") raise(SIGSEGV);
  if (mode == "spin") {
    const rlim_t seconds = std::strtoull(argv[2], nullptr, 10);
    const rlimit limit{seconds, seconds + 1};  // SIGXCPU at the soft limit
    setrlimit(RLIMIT_CPU, &limit);
    for (;;) asm volatile("");  // a loop the optimiser cannot remove
  }
  if (mode == "hang") pause();
  if (mode == "flood") {
    static char chunk[1 << 16];
    for (;;) std::fwrite(chunk, 1, sizeof chunk, stdout);
  }
  if (mode == "garbage") {
    std::fputs("GSLM not really a model", stdout);
    return 0;
  }
  std::fputs("refused: no such mode\n", stderr);
  return 1;
}
