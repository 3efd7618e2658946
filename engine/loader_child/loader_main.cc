// ganserve-load: parses one untrusted model file in a process of its own and
// writes the parsed model to stdout in the wire form (engine/wire). Limits
// and the seccomp filter are set before the file is opened, so a file that
// makes a loader allocate, spin, crash or run code of its own costs this
// process, never the server.
//
// Usage: ganserve-load MAX_MEMORY_MB MAX_CPU_SECONDS MODEL_PATH
// Exit status: engine/loader_child/loader_protocol.h.
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "absl/strings/numbers.h"
#include "engine/loader_child/allocation_failures.h"
#include "engine/loader_child/loader_protocol.h"
#include "engine/loader_child/loader_sandbox.h"
#include "engine/loaders/load_model.h"
#include "engine/one_line.h"
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

// The refusal as the one line the parent reads: a message's own line breaks
// and control bytes (a file's name or strings can hold any) become spaces.
int Refuse(const std::string& message) {
  if (ganserve::AnAllocationFailed()) return ganserve::kLoaderExitMemoryLimit;
  WriteAll(STDERR_FILENO, ganserve::OneLine(message) + '\n');
  return ganserve::kLoaderExitRefused;
}

int LoadAndAnswer(const std::string& path) {
  auto model = ganserve::LoadModel(path);
  if (!model.ok()) return Refuse(std::string(model.status().message()));
  auto answer = ganserve::EncodeLoadedModel(*model);
  if (!answer.ok()) return Refuse(std::string(answer.status().message()));
  if (!WriteAll(STDOUT_FILENO, *answer)) return Refuse("writing the answer failed");
  return ganserve::kLoaderExitAnswered;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t max_memory_mb = 0;
  uint64_t max_cpu_seconds = 0;
  if (argc != 4 || !absl::SimpleAtoi(argv[1], &max_memory_mb) ||
      !absl::SimpleAtoi(argv[2], &max_cpu_seconds) || max_memory_mb == 0 || max_cpu_seconds == 0) {
    std::fprintf(stderr, "usage: ganserve-load MAX_MEMORY_MB MAX_CPU_SECONDS MODEL_PATH\n");
    return ganserve::kLoaderExitUsage;
  }
  ganserve::ExitOnCrashAfterAllocationFailure(ganserve::kLoaderExitMemoryLimit);
  ganserve::LoaderSandbox sandbox;
  if (std::string error; !sandbox.Build(&error)) {
    return Refuse("the loader's seccomp filter failed: " + error);
  }
  if (!SetLimit(RLIMIT_CORE, 0) || !SetLimit(RLIMIT_AS, max_memory_mb << 20) ||
      !SetLimit(RLIMIT_CPU, max_cpu_seconds, /*hard_slack=*/1) ||
      !SetLimit(RLIMIT_NOFILE, kMaxOpenFiles)) {
    return Refuse("setting the loader's resource limits failed: errno " + std::to_string(errno));
  }
  if (std::string error; !sandbox.Enter(&error)) {
    return Refuse("the loader's seccomp filter failed: " + error);
  }
  try {
    return LoadAndAnswer(argv[3]);
  } catch (const std::bad_alloc&) {
    return ganserve::kLoaderExitMemoryLimit;
  }
}
