// ganserve-load: parses one untrusted model file in a process of its own and
// writes the parsed model to stdout in the wire form (engine/wire). Limits
// are set before the file is opened, so a file that makes a loader allocate,
// spin or crash costs this process, never the server.
//
// Usage: ganserve-load MAX_MEMORY_MB MAX_CPU_SECONDS MODEL_PATH
// Exit 0 with the answer on stdout; exit 1 with the reason on stderr.
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "engine/loaders/load_model.h"
#include "engine/wire/model_codec.h"

namespace {

// The CPU limit's hard value is a second above the soft one, so the child
// dies of SIGXCPU (which the parent names) rather than an anonymous SIGKILL.
// Files the loaders may hold open at once: the model, HDF5's own, stdio.
constexpr rlim_t kMaxOpenFiles = 16;

bool SetLimit(int resource, rlim_t value, rlim_t hard_slack = 0) {
  const rlimit limit{value, value + hard_slack};
  return setrlimit(resource, &limit) == 0;
}

bool WriteAll(int fd, const std::string& bytes) {
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t max_memory_mb = 0;
  uint64_t max_cpu_seconds = 0;
  if (argc != 4 || !absl::SimpleAtoi(argv[1], &max_memory_mb) ||
      !absl::SimpleAtoi(argv[2], &max_cpu_seconds) || max_memory_mb == 0 || max_cpu_seconds == 0) {
    std::fprintf(stderr, "usage: ganserve-load MAX_MEMORY_MB MAX_CPU_SECONDS MODEL_PATH\n");
    return 2;
  }
  if (!SetLimit(RLIMIT_CORE, 0) || !SetLimit(RLIMIT_AS, max_memory_mb << 20) ||
      !SetLimit(RLIMIT_CPU, max_cpu_seconds, /*hard_slack=*/1) ||
      !SetLimit(RLIMIT_NOFILE, kMaxOpenFiles)) {
    std::fprintf(stderr, "setting the loader's resource limits failed: errno %d\n", errno);
    return 1;
  }
  auto model = ganserve::LoadModel(argv[3]);
  if (!model.ok()) {
    std::fprintf(stderr, "%s\n", std::string(model.status().message()).c_str());
    return 1;
  }
  auto answer = ganserve::EncodeLoadedModel(*model);
  if (!answer.ok()) {
    std::fprintf(stderr, "%s\n", std::string(answer.status().message()).c_str());
    return 1;
  }
  return WriteAll(STDOUT_FILENO, *answer) ? 0 : 1;
}
