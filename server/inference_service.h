// inference.GRPCInferenceService, the Open Inference Protocol (KServe v2)
// over gRPC, beside ganserve.v1.Generator on the same port and through the
// same CallGate, batchers and generation runs. Requests arrive as raw bytes
// so that unparseable ones get INVALID_ARGUMENT with a message.
#ifndef GANSERVE_SERVER_INFERENCE_SERVICE_H_
#define GANSERVE_SERVER_INFERENCE_SERVICE_H_

#include "inference/grpc_service.grpc.pb.h"
#include "server/run_reactor.h"

namespace ganserve {

using RawInferenceService = inference::GRPCInferenceService::WithRawCallbackMethod_ServerLive<
    inference::GRPCInferenceService::WithRawCallbackMethod_ServerReady<
        inference::GRPCInferenceService::WithRawCallbackMethod_ModelReady<
            inference::GRPCInferenceService::WithRawCallbackMethod_ServerMetadata<
                inference::GRPCInferenceService::WithRawCallbackMethod_ModelMetadata<
                    inference::GRPCInferenceService::WithRawCallbackMethod_ModelInfer<
                        inference::GRPCInferenceService::Service>>>>>>;

class InferenceService final : public RawInferenceService {
 public:
  // Everything given must outlive every call.
  explicit InferenceService(ServiceDeps deps) : deps_(deps) {}

  grpc::ServerUnaryReactor* ServerLive(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ServerReady(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ModelReady(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ServerMetadata(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ModelMetadata(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ModelInfer(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;

 private:
  const ServiceDeps deps_;
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_INFERENCE_SERVICE_H_
