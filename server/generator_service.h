// ganserve.v1.Generator on gRPC's callback API: one reactor per call, no
// thread held while a call waits for the batcher or a slow reader. Requests
// arrive as raw bytes so that unparseable ones get INVALID_ARGUMENT with a
// message instead of gRPC's bare INTERNAL.
#ifndef GANSERVE_SERVER_GENERATOR_SERVICE_H_
#define GANSERVE_SERVER_GENERATOR_SERVICE_H_

#include <string>

#include "engine/generation.h"
#include "ganserve/v1/generator.grpc.pb.h"
#include "server/call_gate.h"
#include "server/metrics.h"
#include "server/model_registry.h"
#include "server/work_pool.h"

namespace ganserve {

struct GeneratorServiceOptions {
  GenerationLimits limits;
  std::string auth_token;  // non-empty: require "authorization: Bearer <token>"
};

using RawGeneratorService = v1::Generator::WithRawCallbackMethod_Generate<
    v1::Generator::WithRawCallbackMethod_GenerateStream<
        v1::Generator::WithRawCallbackMethod_ListModels<
            v1::Generator::WithRawCallbackMethod_GetModel<v1::Generator::Service>>>>;

class GeneratorService final : public RawGeneratorService {
 public:
  // `pool` encodes images; it must outlive every call (and the registry).
  GeneratorService(ModelRegistry& registry, Metrics& metrics, WorkPool& pool,
                   GeneratorServiceOptions options)
      : registry_(registry),
        metrics_(metrics),
        pool_(pool),
        options_(std::move(options)),
        gate_(metrics, options_.auth_token) {}

  // New calls get UNAVAILABLE from now on; in-flight ones continue.
  void StartDraining() { gate_.StartDraining(); }
  int64_t in_flight() const { return gate_.in_flight(); }

  grpc::ServerUnaryReactor* Generate(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* GenerateStream(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* ListModels(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetModel(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;

  // What the Generate reactors share, and the HTTP front with them.
  struct Deps {
    ModelRegistry& registry;
    Metrics& metrics;
    WorkPool& pool;
    const GenerationLimits& limits;
    CallGate& gate;
  };
  Deps deps() { return {registry_, metrics_, pool_, options_.limits, gate_}; }

 private:
  ModelRegistry& registry_;
  Metrics& metrics_;
  WorkPool& pool_;
  const GeneratorServiceOptions options_;
  CallGate gate_;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_GENERATOR_SERVICE_H_
