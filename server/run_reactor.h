// The base of reactors whose call runs generation (Generate, GenerateStream,
// ModelInfer): what they need from the server, the run they hold, and its
// cancellation when the client goes away. Also the reactor for calls the
// registry answers at once (model listings, metadata, readiness).
#ifndef GANSERVE_SERVER_RUN_REACTOR_H_
#define GANSERVE_SERVER_RUN_REACTOR_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/generation.h"
#include "server/cached_generation.h"
#include "server/call_gate.h"
#include "server/clock.h"
#include "server/gated_reactors.h"
#include "server/generation_run.h"
#include "server/metrics.h"
#include "server/model_registry.h"
#include "server/work_pool.h"

namespace ganserve {

// What a service's reactors share; all of it outlives every call.
struct ServiceDeps {
  ModelRegistry& registry;
  Metrics& metrics;
  WorkPool& pool;
  const GenerationLimits& limits;
  CallGate& gate;
  ResponseCache* cache = nullptr;  // seeded images (cached_generation.h); null: none
};

// The call's deadline on the steady clock the batcher uses.
TimePoint SteadyDeadline(const grpc::CallbackServerContext& context);

template <class Reactor>
class RunReactor : public Gated<Reactor> {
 protected:
  // `method` names the RPC in the access log.
  RunReactor(ServiceDeps deps, grpc::CallbackServerContext* context, std::string method = "")
      : Gated<Reactor>(deps.gate, context, std::move(method)), deps_(deps) {}

  // Starts the run. The sink's calls come one at a time, none after on_done,
  // and the reactor replies only from on_done, so it outlives them all.
  // With a `cache_key`, the run goes through the response cache.
  void Start(std::shared_ptr<const Servable> servable, PreparedGeneration work,
             GenerationRunOptions options, GenerationSink sink,
             const std::optional<SeededKey>& cache_key = std::nullopt) {
    std::shared_ptr<GenerationRun> run =
        StartCachedGeneration(deps_.cache, deps_.metrics, cache_key, std::move(servable),
                              std::move(work), options, deps_.pool, std::move(sink));
    std::lock_guard<std::mutex> lock(run_mu_);
    run_ = std::move(run);
  }
  std::shared_ptr<GenerationRun> run() {
    std::lock_guard<std::mutex> lock(run_mu_);
    return run_;
  }
  void CountImages(int64_t images) { deps_.metrics.AddImages(model_, images); }
  // Before replying: the images answered and where the run's time went
  // (no run yet when it ended inside Start: a refusal, nothing computed).
  void NoteRun(int64_t images) {
    std::shared_ptr<GenerationRun> run = this->run();
    this->NoteWork(images, run ? run->timings() : CallTimings{});
  }

  ServiceDeps deps_;
  std::string model_;

 private:
  void OnCancel() override {
    if (std::shared_ptr<GenerationRun> run = this->run()) run->Cancel();  // on_done replies
  }

  std::mutex run_mu_;
  std::shared_ptr<GenerationRun> run_;
};

// Parses the request, answers from the registry at once, replies.
template <class Request>
class RegistryReactor : public GatedUnaryReactor {
 public:
  // Sets the response (and the model it is about, if one), or says why not.
  using Answer = absl::Status (*)(const Request& request, ModelRegistry& registry,
                                  grpc::ByteBuffer& response, std::string& model);

  RegistryReactor(ServiceDeps deps, grpc::CallbackServerContext* context,
                  const grpc::ByteBuffer& request, grpc::ByteBuffer* response, Answer answer,
                  const char* method = "")
      : GatedUnaryReactor(deps.gate, context, method) {
    if (!Admitted()) return;
    Request parsed;
    if (!Parsed(request, parsed)) return;
    std::string model;
    absl::Status status = answer(parsed, deps.registry, *response, model);
    Reply(model, status);
  }
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_RUN_REACTOR_H_
