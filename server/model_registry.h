// Owns the served models: loads them from `name=path` pairs or a repository
// folder, warms each version before swapping it in atomically, and re-scans
// the repository on an interval. A file that fails to load leaves the old
// version serving; a repository folder that disappears is unloaded once its
// in-flight calls let go of it.
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
#include "server/model_registry_scan.h"
#include "server/servable.h"

namespace ganserve {

struct ModelRegistryOptions {
  std::vector<ModelSource> models;                 // --model name=path
  std::string repository;                          // --model_repository: one folder per model
  std::chrono::milliseconds poll_interval{10000};  // 0: no polling
  BatcherOptions batcher;
  GeneratorLoadOptions load;
  Metrics* metrics = nullptr;
  // Called when a model starts serving and when it is removed (health status).
  std::function<void(const std::string& name)> on_serving;
  std::function<void(const std::string& name)> on_removed;
};

class ModelRegistry {
 public:
  // Loads every model; an initial model that fails to load is an error.
  static absl::StatusOr<std::unique_ptr<ModelRegistry>> Create(ModelRegistryOptions options);
  ~ModelRegistry();

  // Serves a generator that did not come from a file (tests, embedding).
  absl::Status AddGenerator(const std::string& name, std::unique_ptr<LoadedGenerator> generator,
                            const std::string& source_path = "<memory>");

  // `name` empty: the default model (the first one added).
  absl::StatusOr<std::shared_ptr<Servable>> Get(const std::string& name) const;
  std::vector<std::shared_ptr<Servable>> List() const;
  std::string default_model() const;

  // Re-scans the repository and the --model files; reloads what changed,
  // refuses folders the scan refuses and removes repository models whose
  // folder (or model file) is gone.
  void PollOnce();

 private:
  struct FileStamp {
    int64_t model_mtime_ns = -1, model_size = -1, options_mtime_ns = -1;
    bool operator==(const FileStamp&) const = default;
  };
  static FileStamp StampOf(const ModelSource& source);
  struct Entry {
    ModelSource source;
    bool from_repository = false;  // only those are removed when their folder goes
    FileStamp stamp;               // of the last load attempt
    std::string refusal;           // why the scan refuses the folder, as last logged
    std::shared_ptr<Servable> servable;
    std::shared_ptr<ModelCounters> counters = std::make_shared<ModelCounters>();
    int next_version = 1;
  };

  explicit ModelRegistry(ModelRegistryOptions options) : options_(std::move(options)) {}
  std::vector<ModelSource> NamedSources() const;
  RepositoryScan ScanRepositoryIfAny() const;
  absl::Status Load(const ModelSource& source, bool from_repository);
  void LoadIfChanged(const ModelSource& source, bool from_repository);
  absl::Status Refuse(const RefusedSource& refused);
  absl::Status LoadFailed(const std::string& name, const absl::Status& status);
  void RemoveVanished(const RepositoryScan& scan);
  absl::Status Install(const std::string& name, const std::string& source_path,
                       std::unique_ptr<LoadedGenerator> generator);
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
