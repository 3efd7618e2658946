// ganserve.v1.Generator on gRPC's callback API: one reactor per call, no
// thread held while a call waits for the batcher or a slow reader. Requests
// arrive as raw bytes so that unparseable ones get INVALID_ARGUMENT with a
// message instead of gRPC's bare INTERNAL.
#ifndef GANSERVE_SERVER_GENERATOR_SERVICE_H_
#define GANSERVE_SERVER_GENERATOR_SERVICE_H_

#include <cstdio>
#include <string>

#include "engine/generation.h"
#include "ganserve/v1/generator.grpc.pb.h"
#include "server/access_log.h"
#include "server/call_gate.h"
#include "server/metrics.h"
#include "server/model_registry.h"
#include "server/run_reactor.h"
#include "server/work_pool.h"

namespace ganserve {

struct GeneratorServiceOptions {
  GenerationLimits limits;
  std::string auth_token;  // non-empty: require "authorization: Bearer <token>"
  AccessLogMode access_log = AccessLogMode::kOff;
  std::FILE* access_log_out = stdout;  // where its JSON lines go
};

using RawGeneratorService = v1::Generator::WithRawCallbackMethod_Generate<
    v1::Generator::WithRawCallbackMethod_GenerateStream<
        v1::Generator::WithRawCallbackMethod_ListModels<
            v1::Generator::WithRawCallbackMethod_GetModel<v1::Generator::Service>>>>;

class GeneratorService final : public RawGeneratorService {
 public:
  // Everything given must outlive every call; deps.pool also the registry.
  explicit GeneratorService(ServiceDeps deps) : deps_(deps) {}

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

 private:
  ServiceDeps deps() { return deps_; }

  const ServiceDeps deps_;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_GENERATOR_SERVICE_H_
