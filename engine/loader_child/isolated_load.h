// Loads a model file through the ganserve-load child process: the parse of an
// untrusted file runs under the child's limits, and the server only decodes
// the bounds-checked wire answer. Spawned with posix_spawn, never a fork of
// the (multithreaded) server.
#ifndef GANSERVE_ENGINE_LOADER_CHILD_ISOLATED_LOAD_H_
#define GANSERVE_ENGINE_LOADER_CHILD_ISOLATED_LOAD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/loaders/loaded_model.h"

namespace ganserve {

struct LoaderLimits {
  uint64_t max_memory_mb = 4096;
  uint64_t max_cpu_seconds = 60;
  absl::Duration timeout = absl::Seconds(120);
};

// The error names the file and why: the loader's own refusal, a crash with
// signal N, the CPU limit, the wall-clock timeout, an answer larger than the
// memory limit (read no further), or a bad answer.
absl::StatusOr<LoadedModel> LoadModelIsolated(const std::string& loader_binary,
                                              const std::string& model_path,
                                              const LoaderLimits& limits);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADER_CHILD_ISOLATED_LOAD_H_
