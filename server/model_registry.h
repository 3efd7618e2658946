// Owns the served models: loads them from `name=path` pairs or a repository
// folder, warms each version before swapping it in atomically, and re-scans
// the repository on an interval. A file that fails to load leaves the old
// version serving.
#ifndef GANSERVE_SERVER_MODEL_REGISTRY_H_
#define GANSERVE_SERVER_MODEL_REGISTRY_H_

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/generator_factory.h"
#include "server/batcher.h"
#include "server/metrics.h"
#include "server/servable.h"

namespace ganserve {

struct ModelSource {
  std::string name;
  std::string path;          // the model file
  std::string options_path;  // model.json; empty or missing: none
};

struct ModelRegistryOptions {
  std::vector<ModelSource> models;                 // --model name=path
  std::string repository;                          // --model_repository: one folder per model
  std::chrono::milliseconds poll_interval{10000};  // 0: no polling
  BatcherOptions batcher;
  GeneratorLoadOptions load;
  Metrics* metrics = nullptr;
  // Called when a model starts serving (health status).
  std::function<void(const std::string& name)> on_serving;
};

class ModelRegistry {
 public:
  // Loads every model; an initial model that fails to load is an error.
  static absl::StatusOr<std::unique_ptr<ModelRegistry>> Create(ModelRegistryOptions options);
  ~ModelRegistry();

  // Serves a generator that did not come from a file (tests, embedding).
  absl::Status AddGenerator(const std::string& name, std::unique_ptr<Generator> generator,
                            const std::string& source_path = "<memory>");

  // `name` empty: the default model (the first one added).
  absl::StatusOr<std::shared_ptr<Servable>> Get(const std::string& name) const;
  std::vector<std::shared_ptr<Servable>> List() const;
  std::string default_model() const;

  // Re-scans the repository and the --model files; reloads what changed.
  void PollOnce();

 private:
  struct FileStamp {
    int64_t model_mtime_ns = -1, model_size = -1, options_mtime_ns = -1;
    bool operator==(const FileStamp&) const = default;
  };
  struct Entry {
    ModelSource source;
    FileStamp stamp;  // of the last load attempt
    std::shared_ptr<Servable> servable;
    std::shared_ptr<ModelCounters> counters = std::make_shared<ModelCounters>();
    int next_version = 1;
  };

  explicit ModelRegistry(ModelRegistryOptions options) : options_(std::move(options)) {}
  std::vector<ModelSource> ScanSources() const;
  absl::Status Load(const ModelSource& source);
  absl::Status Install(const std::string& name, const std::string& source_path,
                       std::unique_ptr<Generator> generator);
  void PollLoop();

  const ModelRegistryOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::string default_model_;
  std::mutex load_mu_;  // one load at a time

  std::mutex poll_mu_;
  std::condition_variable poll_cv_;
  bool stop_ = false;
  std::thread poller_;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_MODEL_REGISTRY_H_
