// Stands in for ganserve-load in the parent's tests: same arguments, and the
// model path picks how it misbehaves, so each failure the parent must tell
// apart happens for real. The path is the mode itself ("crash"), or a file
// reading "misbehave MODE" (a model file dropped into a served repository);
// any other file goes to the real ganserve-load, so a server using this
// loader serves real models too.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

constexpr char kModeMarker[] = "misbehave ";

// The mode a file asks for; empty when it is a real model file.
std::string ModeOf(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return path;
  std::ostringstream text;
  text << file.rdbuf();
  const std::string contents = text.str();
  if (contents.rfind(kModeMarker, 0) != 0) return "";
  std::string mode = contents.substr(sizeof kModeMarker - 1);
  while (!mode.empty() && (mode.back() == '\n' || mode.back() == ' ')) mode.pop_back();
  return mode;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  const std::string mode = ModeOf(argv[3]);
  if (mode.empty()) {
    argv[0] = const_cast<char*>(GANSERVE_LOADER_BINARY);
    execv(GANSERVE_LOADER_BINARY, argv);
    std::perror("exec ganserve-load");
    return 1;
  }
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
