// ganserve.v1.Generator over gRPC: translates between proto messages and the
// domain types of generation.h / model_registry.h, and nothing more.
#ifndef GANSERVE_SERVER_GENERATOR_SERVICE_H_
#define GANSERVE_SERVER_GENERATOR_SERVICE_H_

#include <atomic>
#include <string>

#include "ganserve/v1/generator.grpc.pb.h"
#include "server/generation.h"
#include "server/metrics.h"
#include "server/model_registry.h"

namespace ganserve {

struct GeneratorServiceOptions {
  GenerationLimits limits;
  std::string auth_token;  // non-empty: require "authorization: Bearer <token>"
};

class GeneratorService final : public ganserve::v1::Generator::Service {
 public:
  GeneratorService(ModelRegistry& registry, Metrics& metrics, GeneratorServiceOptions options)
      : registry_(registry), metrics_(metrics), options_(std::move(options)) {}

  // New calls get UNAVAILABLE from now on; in-flight ones continue.
  void StartDraining() { draining_ = true; }
  int64_t in_flight() const { return in_flight_; }

  grpc::Status Generate(grpc::ServerContext* context, const v1::GenerateRequest* request,
                        v1::GenerateResponse* response) override;
  grpc::Status GenerateStream(grpc::ServerContext* context, const v1::GenerateRequest* request,
                              grpc::ServerWriter<v1::GeneratedImage>* writer) override;
  grpc::Status ListModels(grpc::ServerContext* context, const v1::ListModelsRequest* request,
                          v1::ListModelsResponse* response) override;
  grpc::Status GetModel(grpc::ServerContext* context, const v1::GetModelRequest* request,
                        v1::ModelInfo* response) override;

 private:
  class CallScope;
  grpc::Status Admit(grpc::ServerContext* context) const;
  grpc::Status RunGenerate(grpc::ServerContext* context, const v1::GenerateRequest& request,
                           std::string& model_name,
                           const std::function<void(const Servable&)>& on_model,
                           const std::function<bool(v1::GeneratedImage)>& sink);

  ModelRegistry& registry_;
  Metrics& metrics_;
  const GeneratorServiceOptions options_;
  std::atomic<bool> draining_{false};
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_GENERATOR_SERVICE_H_
