#include "server/model_registry.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "engine/loader_child/isolated_load.h"
#include "engine/onednn/unloaded_models.h"
#include "engine/status_context.h"
#include "engine/status_macros.h"
#include "server/log.h"

namespace ganserve {
namespace {

namespace fs = std::filesystem;

void StampFile(const std::string& path, int64_t& mtime_ns, int64_t* size) {
  struct stat st;
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return;
  mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  if (size) *size = st.st_size;
}

// An error about model.json names it; any other gets the model file's name,
// once.
absl::Status WithFileNamed(const absl::Status& status, const std::string& model_path,
                           const std::string& options_path) {
  if (!options_path.empty() && absl::StrContains(status.message(), options_path)) return status;
  return WithFile(model_path, status);
}

// Runs one image through a fresh context so the first request does not pay
// for first-touch allocation (and a broken model fails here, not in a call).
absl::Status Warm(const LoadedGenerator& generator) {
  std::unique_ptr<ExecutionContext> context = generator.NewContext();
  std::vector<float> latent(generator.latent_size(), 0.0f);
  std::vector<int32_t> labels;
  if (generator.conditional()) labels.push_back(0);
  Tensor images;
  return generator.Run(*context, latent, labels, images);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ModelRegistry>> ModelRegistry::Create(ModelRegistryOptions options) {
  if (!options.repository.empty() && !fs::is_directory(options.repository)) {
    return absl::NotFoundError(
        absl::StrCat("model repository ", options.repository, " is not a directory"));
  }
  std::unique_ptr<ModelRegistry> registry(new ModelRegistry(std::move(options)));
  for (const ModelSource& source : registry->NamedSources()) {
    GS_RETURN_IF_ERROR(registry->Load(source, /*from_repository=*/false));
  }
  const RepositoryScan scan = registry->ScanRepositoryIfAny();
  for (const RefusedSource& refused : scan.refused) GS_RETURN_IF_ERROR(registry->Refuse(refused));
  for (const ModelSource& source : scan.sources) {
    GS_RETURN_IF_ERROR(registry->Load(source, /*from_repository=*/true));
  }
  if (registry->options_.poll_interval.count() > 0) {
    registry->poller_ = std::thread([r = registry.get()] { r->PollLoop(); });
  }
  return registry;
}

ModelRegistry::~ModelRegistry() {
  {
    std::lock_guard<std::mutex> lock(poll_mu_);
    stop_ = true;
  }
  poll_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
}

ModelRegistry::FileStamp ModelRegistry::StampOf(const ModelSource& source) {
  FileStamp stamp;
  StampFile(source.path, stamp.model_mtime_ns, &stamp.model_size);
  StampFile(source.options_path, stamp.options_mtime_ns, nullptr);
  return stamp;
}

std::vector<ModelSource> ModelRegistry::NamedSources() const {
  std::vector<ModelSource> sources;
  for (ModelSource source : options_.models) {
    if (source.options_path.empty()) {
      source.options_path = (fs::path(source.path).parent_path() / "model.json").string();
    }
    sources.push_back(std::move(source));
  }
  return sources;
}

RepositoryScan ModelRegistry::ScanRepositoryIfAny() const {
  return options_.repository.empty() ? RepositoryScan{} : ScanRepository(options_.repository);
}

absl::Status ModelRegistry::Load(const ModelSource& source, bool from_repository) {
  std::lock_guard<std::mutex> load_lock(load_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    Entry& entry = entries_[source.name];
    entry.source = source;
    entry.from_repository = from_repository;
    entry.stamp = StampOf(source);
    entry.refusal.clear();
  }
  absl::StatusOr<std::unique_ptr<LoadedGenerator>> generator =
      LoadGenerator(source.path, source.options_path, options_.load);
  absl::Status status = generator.ok() ? Install(source.name, source.path, *std::move(generator))
                                       : generator.status();
  if (!status.ok()) {
    return LoadFailed(source.name, WithFileNamed(status, source.path, source.options_path));
  }
  return absl::OkStatus();
}

absl::Status ModelRegistry::Refuse(const RefusedSource& refused) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Entry& entry = entries_[refused.name];
    entry.from_repository = true;
    entry.stamp = FileStamp{};  // a fixed folder loads again, even with unchanged files
    if (entry.refusal == refused.message) return absl::OkStatus();  // logged already
    entry.refusal = refused.message;
  }
  return LoadFailed(refused.name, absl::FailedPreconditionError(
                                      absl::StrCat(refused.path, ": ", refused.message)));
}

absl::Status ModelRegistry::LoadFailed(const std::string& name, const absl::Status& status) {
  ReleaseUnloadedModelMemory();  // a load refused after its plans were built left them cached
  const std::string reason = LoadFailureReason(status);
  if (options_.metrics) options_.metrics->CountLoadFailure(name, reason);
  LogEvent(absl::StrCat("model_load_failed model=", name, " reason=", reason, " error=\"",
                        status.message(), "\""));
  return WithPrefix(absl::StrCat("model ", name), status);
}

absl::Status ModelRegistry::AddGenerator(const std::string& name,
                                         std::unique_ptr<LoadedGenerator> generator,
                                         const std::string& source_path) {
  std::lock_guard<std::mutex> load_lock(load_mu_);
  return Install(name, source_path, std::move(generator));
}

namespace {

// FNV-1a over the files' bytes: stable across processes, unlike absl::Hash.
std::string FileFingerprint(const std::vector<std::string>& paths) {
  uint64_t hash = 14695981039346656037ull;
  bool any = false;
  for (const std::string& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    any = true;
    char buffer[1 << 16];
    while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
      for (std::streamsize i = 0; i < in.gcount(); ++i) {
        hash = (hash ^ static_cast<unsigned char>(buffer[i])) * 1099511628211ull;
      }
    }
  }
  if (!any) {
    static std::atomic<uint64_t> loads{0};
    return absl::StrCat("mem", ::getpid(), "t", absl::ToUnixNanos(absl::Now()), "n", ++loads);
  }
  return absl::StrCat(absl::Hex(hash, absl::kZeroPad16));
}

}  // namespace

absl::Status ModelRegistry::Install(const std::string& name, const std::string& source_path,
                                    std::unique_ptr<LoadedGenerator> generator) {
  std::shared_ptr<const LoadedGenerator> shared(std::move(generator));
  GS_RETURN_IF_ERROR(Warm(*shared));
  // The last holder (the registry, or the last in-flight call of a replaced
  // or removed version) unloads it.
  std::shared_ptr<Servable> servable(new Servable, [](Servable* unloaded) {
    const std::string event =
        absl::StrCat("model_unloaded model=", unloaded->name, " version=", unloaded->version);
    delete unloaded;
    ReleaseUnloadedModelMemory();
    LogEvent(event);
  });
  servable->name = name;
  servable->source_path = source_path;
  servable->generator = shared;
  std::string options_path;
  {
    std::lock_guard<std::mutex> lock(mu_);
    options_path = entries_[name].source.options_path;
  }
  servable->fingerprint = FileFingerprint({source_path, options_path});
  {
    std::lock_guard<std::mutex> lock(mu_);
    Entry& entry = entries_[name];
    servable->counters = entry.counters;
    servable->version = absl::StrCat(entry.next_version++);
  }
  GS_ASSIGN_OR_RETURN(
      servable->batcher,
      Batcher::Create(options_.batcher, shared, {name, options_.metrics, servable->counters}));
  std::shared_ptr<Servable> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old = std::exchange(entries_[name].servable, servable);
    if (default_model_.empty()) default_model_ = name;
  }
  LogEvent(absl::StrCat("model_serving model=", name, " version=", servable->version,
                        " path=", source_path, " latent_size=", shared->latent_size(),
                        " labels=", shared->label_count(), " output=", shared->height(), "x",
                        shared->width(), "x", shared->channels(),
                        " shape_source=", shared->shape_source(), " range=[", shared->value_min(),
                        ",", shared->value_max(), "] range_source=", shared->range_source()));
  if (options_.on_serving) options_.on_serving(name);
  return absl::OkStatus();  // `old` is released here, or by its last in-flight request
}

absl::StatusOr<std::shared_ptr<Servable>> ModelRegistry::Get(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string& wanted = name.empty() ? default_model_ : name;
  auto it = entries_.find(wanted);
  if (it == entries_.end() || it->second.servable == nullptr) {
    std::vector<std::string> names;
    for (const auto& [n, entry] : entries_) {
      if (entry.servable) names.push_back(n);
    }
    return absl::NotFoundError(
        absl::StrCat("no model named \"", wanted, "\"; serving: ", absl::StrJoin(names, ", ")));
  }
  return it->second.servable;
}

std::vector<std::shared_ptr<Servable>> ModelRegistry::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Servable>> out;
  for (const auto& [name, entry] : entries_) {
    if (entry.servable) out.push_back(entry.servable);
  }
  return out;
}

std::string ModelRegistry::default_model() const {
  std::lock_guard<std::mutex> lock(mu_);
  return default_model_;
}

void ModelRegistry::PollOnce() {
  for (const ModelSource& source : NamedSources()) LoadIfChanged(source, false);
  const RepositoryScan scan = ScanRepositoryIfAny();
  for (const ModelSource& source : scan.sources) LoadIfChanged(source, true);
  // Failures are logged and counted; an old version keeps serving.
  for (const RefusedSource& refused : scan.refused) (void)Refuse(refused);
  RemoveVanished(scan);
}

void ModelRegistry::LoadIfChanged(const ModelSource& source, bool from_repository) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(source.name);
    if (it != entries_.end() && it->second.stamp == StampOf(source)) return;
  }
  LogEvent(absl::StrCat("model_changed model=", source.name, " path=", source.path));
  (void)Load(source, from_repository);
}

// In-flight calls hold the servable, so a removed model finishes them and is
// unloaded when the last one lets go; new calls get NOT_FOUND.
void ModelRegistry::RemoveVanished(const RepositoryScan& scan) {
  std::set<std::string> present;
  for (const ModelSource& source : scan.sources) present.insert(source.name);
  for (const RefusedSource& refused : scan.refused) present.insert(refused.name);
  std::vector<std::shared_ptr<Servable>> removed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (!it->second.from_repository || present.count(it->first)) {
        ++it;
        continue;
      }
      if (it->second.servable) removed.push_back(it->second.servable);
      it = entries_.erase(it);
    }
    if (!entries_.count(default_model_)) {
      auto first = std::find_if(entries_.begin(), entries_.end(),
                                [](const auto& named) { return named.second.servable != nullptr; });
      default_model_ = first == entries_.end() ? "" : first->first;
    }
  }
  for (const std::shared_ptr<Servable>& servable : removed) {
    LogEvent(absl::StrCat("model_removed model=", servable->name, " version=", servable->version,
                          " path=", servable->source_path));
    if (options_.on_removed) options_.on_removed(servable->name);
  }
}

void ModelRegistry::PollLoop() {
  std::unique_lock<std::mutex> lock(poll_mu_);
  while (!poll_cv_.wait_for(lock, options_.poll_interval, [&] { return stop_; })) {
    lock.unlock();
    PollOnce();
    lock.lock();
  }
}

}  // namespace ganserve
