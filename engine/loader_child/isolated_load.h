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
// memory limit (read no further), or a bad answer; LoadFailureReason tells
// them apart.
absl::StatusOr<LoadedModel> LoadModelIsolated(const std::string& loader_binary,
                                              const std::string& model_path,
                                              const LoaderLimits& limits);

// What a failed load's status says went wrong, one word for logs and metric
// labels: "loader_crashed", "loader_timeout", "loader_cpu_limit",
// "loader_memory_limit", "loader_bad_answer", "loader_unavailable"; any
// other failure (the loader's refusal of the file, a model the generator
// refuses) is "refused".
std::string LoadFailureReason(const absl::Status& status);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADER_CHILD_ISOLATED_LOAD_H_
