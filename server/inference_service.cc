#include "server/inference_service.h"

#include <optional>

#include "engine/status_macros.h"
#include "server/inference_grpc_convert.h"
#include "server/inference_outputs.h"
#include "server/proto_convert.h"

namespace ganserve {
namespace {

using inference::ModelInferRequest;

// Runs the request's generation and answers with the requested outputs.
class ModelInferReactor : public RunReactor<grpc::ServerUnaryReactor> {
 public:
  ModelInferReactor(ServiceDeps deps, grpc::CallbackServerContext* context,
                    const grpc::ByteBuffer& request, grpc::ByteBuffer* response)
      : RunReactor(deps, context), response_(response) {
    if (!Admitted()) return;
    ModelInferRequest proto;
    if (!Parsed(request, proto)) return;
    absl::StatusOr<InferPlan> plan = Prepare(proto);
    if (!plan.ok()) {
      Reply(model_, plan.status());
      return;
    }
    raw_ = WantsRawOutputs(proto);
    answer_.set_model_name(servable_->name);
    answer_.set_model_version(servable_->version);
    answer_.set_id(proto.id());
    outputs_.emplace(*servable_->generator, *plan);
    GenerationRunOptions run;
    run.encoding = plan->encoding;
    run.deadline = SteadyDeadline(*context);
    GenerationSink sink;
    sink.on_image = [this](EncodedImage image) {
      if (collected_.ok()) collected_ = outputs_->Add(image);
    };
    sink.on_done = [this, count = plan->work.count](absl::Status status) {
      if (status.ok()) status = collected_;
      if (status.ok()) {
        CountImages(count);
        ToProto(outputs_->Take(), raw_, answer_);
        status = Serialize(answer_, *response_);
      }
      Reply(model_, status);
    };
    std::optional<SeededKey> cache_key;
    if (plan->seeded) cache_key = SeededCacheKey(*servable_, *plan->seeded);
    Start(servable_, std::move(plan->work), run, std::move(sink), cache_key);
  }

 private:
  absl::StatusOr<InferPlan> Prepare(const ModelInferRequest& proto) {
    GS_ASSIGN_OR_RETURN(servable_, deps_.registry.Get(proto.model_name()));
    model_ = servable_->name;
    GS_RETURN_IF_ERROR(CheckModelVersion(*servable_, proto.model_version()));
    GS_ASSIGN_OR_RETURN(InferRequest request, FromProto(proto));
    return PlanInference(*servable_->generator, request, deps_.limits);
  }

  grpc::ByteBuffer* const response_;
  std::shared_ptr<Servable> servable_;  // alive while outputs_ refers to its generator
  bool raw_ = true;
  std::optional<InferOutputs> outputs_;
  absl::Status collected_;  // the first image that could not become outputs
  inference::ModelInferResponse answer_;
};

// ServerLive and ServerReady skip the CallGate, as grpc.health.v1 and the
// HTTP health paths do: probes carry no token and are not requests to count,
// and a draining server answers live but not ready instead of refusing.
class OpenReactor final : public grpc::ServerUnaryReactor {
 public:
  explicit OpenReactor(const absl::Status& status) { Finish(ToGrpcStatus(status)); }

 private:
  void OnDone() override { delete this; }
};

template <class Request, class Response>
grpc::ServerUnaryReactor* AnswerOpenly(const grpc::ByteBuffer& request, grpc::ByteBuffer& response,
                                       const Response& answer) {
  Request parsed;
  absl::Status status = ParseMessage(request, parsed);
  if (status.ok()) status = Serialize(answer, response);
  return new OpenReactor(status);
}

// A model that is not served (or not in that version) is not ready: the
// answer to the question asked, not an error.
absl::Status ModelReady(const inference::ModelReadyRequest& request, ModelRegistry& registry,
                        grpc::ByteBuffer& response, std::string& model) {
  inference::ModelReadyResponse answer;
  absl::StatusOr<std::shared_ptr<Servable>> servable = registry.Get(request.name());
  if (servable.ok()) {
    model = (*servable)->name;
    answer.set_ready(CheckModelVersion(**servable, request.version()).ok());
  }
  return Serialize(answer, response);
}

absl::Status ServerMetadata(const inference::ServerMetadataRequest&, ModelRegistry&,
                            grpc::ByteBuffer& response, std::string&) {
  inference::ServerMetadataResponse answer;
  ToProto(DescribeServer(), answer);
  return Serialize(answer, response);
}

absl::Status ModelMetadata(const inference::ModelMetadataRequest& request, ModelRegistry& registry,
                           grpc::ByteBuffer& response, std::string& model) {
  GS_ASSIGN_OR_RETURN(std::shared_ptr<Servable> servable, registry.Get(request.name()));
  model = servable->name;
  GS_RETURN_IF_ERROR(CheckModelVersion(*servable, request.version()));
  inference::ModelMetadataResponse answer;
  ToProto(DescribeModel(*servable), answer);
  return Serialize(answer, response);
}

}  // namespace

grpc::ServerUnaryReactor* InferenceService::ServerLive(grpc::CallbackServerContext*,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  inference::ServerLiveResponse answer;
  answer.set_live(true);
  return AnswerOpenly<inference::ServerLiveRequest>(*request, *response, answer);
}

grpc::ServerUnaryReactor* InferenceService::ServerReady(grpc::CallbackServerContext*,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  inference::ServerReadyResponse answer;
  answer.set_ready(!deps_.gate.draining() && !deps_.registry.List().empty());
  return AnswerOpenly<inference::ServerReadyRequest>(*request, *response, answer);
}

grpc::ServerUnaryReactor* InferenceService::ModelReady(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  return new RegistryReactor<inference::ModelReadyRequest>(deps_, context, *request, response,
                                                           &ganserve::ModelReady);
}

grpc::ServerUnaryReactor* InferenceService::ServerMetadata(grpc::CallbackServerContext* context,
                                                           const grpc::ByteBuffer* request,
                                                           grpc::ByteBuffer* response) {
  return new RegistryReactor<inference::ServerMetadataRequest>(deps_, context, *request, response,
                                                               &ganserve::ServerMetadata);
}

grpc::ServerUnaryReactor* InferenceService::ModelMetadata(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  return new RegistryReactor<inference::ModelMetadataRequest>(deps_, context, *request, response,
                                                              &ganserve::ModelMetadata);
}

grpc::ServerUnaryReactor* InferenceService::ModelInfer(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  return new ModelInferReactor(deps_, context, *request, response);
}

}  // namespace ganserve
