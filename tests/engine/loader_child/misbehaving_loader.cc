// Stands in for ganserve-load in the parent's tests: same arguments, and the
// model path picks how it misbehaves, so each failure the parent must tell
// apart happens for real. The path is the mode itself ("crash"), or a file
// whose first line reads "misbehave MODE" (a model file dropped into a served
// repository); any other file goes to the real ganserve-load, so a server
// using this loader serves real models too. Mode "answer" hands back the
// bytes after that first line as the answer, so a server decodes them as it
// would a hostile child's.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/loader_child/loader_sandbox.h"

namespace {

constexpr char kModeMarker[] = "misbehave ";

struct Request {
  std::string mode;  // empty when the file is a real model file
  std::string answer;
};

Request RequestOf(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return {path, ""};
  std::ostringstream text;
  text << file.rdbuf();
  const std::string contents = text.str();
  if (contents.rfind(kModeMarker, 0) != 0) return {};
  const size_t line_end = contents.find('\n');
  std::string mode = contents.substr(sizeof kModeMarker - 1, line_end - (sizeof kModeMarker - 1));
  while (!mode.empty() && mode.back() == ' ') mode.pop_back();
  return {mode, line_end == std::string::npos ? "" : contents.substr(line_end + 1)};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  const Request request = RequestOf(argv[3]);
  const std::string& mode = request.mode;
  if (mode.empty()) {
    argv[0] = const_cast<char*>(GANSERVE_LOADER_BINARY);
    execv(GANSERVE_LOADER_BINARY, argv);
    std::perror("exec ganserve-load");
    return 1;
  }
  if (mode == "socket" || mode == "write_file" || mode == "execve") {
    std::string error;
    ganserve::LoaderSandbox sandbox;
    if (!sandbox.Build(&error) || !sandbox.Enter(&error)) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
    // What a parser exploit would try: phone home, drop a file, run a shell.
    if (mode == "socket") socket(AF_INET, SOCK_STREAM, 0);
    if (mode == "write_file") open("/tmp/ganserve_misbehaving_dropped", O_WRONLY | O_CREAT, 0600);
    if (mode == "execve") execl("/bin/sh", "sh", "-c", "true", nullptr);
    std::fputs("the sandbox let it through\n", stderr);
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
  if (mode == "noisy") {
    std::fputs("HDF5-DIAG: Error detected in HDF5 (1.10.8):\n  #000: H5F.c line 1 \033[31mred\n",
               stderr);
    std::fputs("layer \"dense\a1\" is broken\n\n", stderr);
    return 1;
  }
  if (mode == "answer") {
    std::fwrite(request.answer.data(), 1, request.answer.size(), stdout);
    return 0;
  }
  if (mode == "garbage") {
    std::fputs("GSLM not really a model", stdout);
    return 0;
  }
  std::fputs("refused: no such mode\n", stderr);
  return 1;
}
