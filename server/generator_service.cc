#include "server/generator_service.h"

#include <deque>
#include <mutex>
#include <optional>

#include "engine/status_macros.h"
#include "server/gated_reactors.h"
#include "server/generation_run.h"
#include "server/proto_convert.h"

namespace ganserve {
namespace {

// A parsed, validated Generate request against its model.
struct GenerateCall {
  std::shared_ptr<Servable> servable;
  v1::ImageFormat format = v1::IMAGE_FORMAT_UNSPECIFIED;
  PreparedGeneration work;
  GenerationRunOptions run;
};

TimePoint SteadyDeadline(const grpc::CallbackServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return TimePoint::max();
  return std::chrono::steady_clock::now() + std::chrono::duration_cast<TimePoint::duration>(
                                                deadline - std::chrono::system_clock::now());
}

absl::StatusOr<GenerateCall> PrepareCall(GeneratorService::Deps& deps,
                                         const grpc::CallbackServerContext& context,
                                         const grpc::ByteBuffer& bytes, std::string& model) {
  v1::GenerateRequest proto;
  GS_RETURN_IF_ERROR(ParseMessage(bytes, proto));
  GenerateCall call;
  GS_ASSIGN_OR_RETURN(call.servable, deps.registry.Get(proto.model()));
  model = call.servable->name;
  GS_ASSIGN_OR_RETURN(GenerationRequest request, FromProto(proto));
  GS_ASSIGN_OR_RETURN(call.work,
                      PrepareGeneration(*call.servable->generator, request, deps.limits));
  call.format = proto.format();
  call.run.encoding = request.encoding;
  call.run.return_latents = request.return_latents;
  call.run.deadline = SteadyDeadline(context);
  return call;
}

// What the Generate reactors share: preparing the call and holding its run.
template <class Reactor>
class GenerateBase : public Gated<Reactor> {
 protected:
  GenerateBase(GeneratorService::Deps deps, grpc::CallbackServerContext* context)
      : Gated<Reactor>(deps.gate, context), deps_(deps) {}

  // The validated call, or nothing once the refusal is sent.
  std::optional<GenerateCall> Prepare(const grpc::ByteBuffer& request) {
    if (!this->Admitted()) return std::nullopt;
    absl::StatusOr<GenerateCall> call = PrepareCall(deps_, *this->context_, request, model_);
    if (!call.ok()) {
      this->Reply(model_, call.status());
      return std::nullopt;
    }
    return *std::move(call);
  }
  // Starts the run. The sink's calls come one at a time, none after on_done,
  // and the reactor replies only from on_done, so it outlives them all.
  void Start(GenerateCall call, GenerationSink sink) {
    std::shared_ptr<GenerationRun> run = GenerationRun::Start(
        call.servable, std::move(call.work), call.run, deps_.pool, std::move(sink));
    std::lock_guard<std::mutex> lock(run_mu_);
    run_ = std::move(run);
  }
  std::shared_ptr<GenerationRun> run() {
    std::lock_guard<std::mutex> lock(run_mu_);
    return run_;
  }
  void CountImages(int64_t images) { deps_.metrics.AddImages(model_, images); }

  std::string model_;

 private:
  void OnCancel() override {
    if (std::shared_ptr<GenerationRun> run = this->run()) run->Cancel();  // on_done replies
  }

  GeneratorService::Deps deps_;
  std::mutex run_mu_;
  std::shared_ptr<GenerationRun> run_;
};

class GenerateReactor : public GenerateBase<grpc::ServerUnaryReactor> {
 public:
  GenerateReactor(GeneratorService::Deps deps, grpc::CallbackServerContext* context,
                  const grpc::ByteBuffer& request, grpc::ByteBuffer* response)
      : GenerateBase(deps, context), response_(response) {
    std::optional<GenerateCall> call = Prepare(request);
    if (!call) return;
    answer_.set_model(call->servable->name);
    answer_.set_model_version(call->servable->version);
    GenerationSink sink;
    sink.on_image = [this, generator = call->servable->generator,
                     format = call->format](EncodedImage image) {
      *answer_.add_images() = ToProto(*generator, format, std::move(image));
    };
    sink.on_done = [this, count = call->work.count](absl::Status status) {
      if (status.ok()) {
        CountImages(count);
        *response_ = Serialize(answer_);
      }
      Reply(model_, status);
    };
    Start(*std::move(call), std::move(sink));
  }

 private:
  grpc::ByteBuffer* const response_;
  v1::GenerateResponse answer_;
};

// Writes one image at a time; the run submits more work only as writes
// complete, so a slow reader holds at most the run's window of images.
class GenerateStreamReactor : public GenerateBase<grpc::ServerWriteReactor<grpc::ByteBuffer>> {
 public:
  GenerateStreamReactor(GeneratorService::Deps deps, grpc::CallbackServerContext* context,
                        const grpc::ByteBuffer& request)
      : GenerateBase(deps, context) {
    std::optional<GenerateCall> call = Prepare(request);
    if (!call) return;
    call->run.consume_on_delivery = false;
    GenerationSink sink;
    sink.on_image = [this, generator = call->servable->generator,
                     format = call->format](EncodedImage image) {
      grpc::ByteBuffer bytes = Serialize(ToProto(*generator, format, std::move(image)));
      std::lock_guard<std::mutex> lock(mu_);
      pending_.push_back(std::move(bytes));
      WriteNextLocked();
    };
    sink.on_done = [this, count = call->work.count](absl::Status status) {
      if (status.ok()) CountImages(count);
      std::lock_guard<std::mutex> lock(mu_);
      run_done_ = true;
      status_ = std::move(status);
      // A failed run ends the stream now; a finished one once its images are written.
      if (!status_.ok()) pending_.resize(writing_ ? 1 : 0);
      CloseIfDoneLocked();
    };
    Start(*std::move(call), std::move(sink));
  }

 private:
  void WriteNextLocked() {
    if (writing_ || pending_.empty() || closed_) return;
    writing_ = true;
    StartWrite(&pending_.front());
  }

  void CloseIfDoneLocked() {
    if (!run_done_ || writing_ || closed_ || !pending_.empty()) return;
    closed_ = true;
    Reply(model_, status_);
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      pending_.pop_front();
      if (ok) {
        WriteNextLocked();
        CloseIfDoneLocked();
      }
    }
    std::shared_ptr<GenerationRun> run = this->run();
    if (run == nullptr) return;
    // Outside our lock: the run may call back into the sink.
    if (ok) {
      run->Consumed(1);
    } else {
      run->Cancel();  // the stream broke; on_done closes it
    }
  }

  std::mutex mu_;
  std::deque<grpc::ByteBuffer> pending_;  // front is being written while writing_
  bool writing_ = false;
  bool run_done_ = false;
  bool closed_ = false;
  absl::Status status_;
};

// ListModels and GetModel: parse, answer from the registry, reply.
template <class Request>
class RegistryReactor : public GatedUnaryReactor {
 public:
  // Sets the response (and the model it is about, if one), or says why not.
  using Answer = absl::Status (*)(const Request& request, ModelRegistry& registry,
                                  grpc::ByteBuffer& response, std::string& model);

  RegistryReactor(GeneratorService::Deps deps, grpc::CallbackServerContext* context,
                  const grpc::ByteBuffer& request, grpc::ByteBuffer* response, Answer answer)
      : GatedUnaryReactor(deps.gate, context) {
    if (!Admitted()) return;
    Request parsed;
    if (!Parsed(request, parsed)) return;
    std::string model;
    absl::Status status = answer(parsed, deps.registry, *response, model);
    Reply(model, status);
  }
};

absl::Status ListModels(const v1::ListModelsRequest&, ModelRegistry& registry,
                        grpc::ByteBuffer& response, std::string&) {
  v1::ListModelsResponse answer;
  const std::string default_model = registry.default_model();
  for (const auto& servable : registry.List()) {
    FillInfo(*servable, servable->name == default_model, *answer.add_models());
  }
  response = Serialize(answer);
  return absl::OkStatus();
}

absl::Status GetModel(const v1::GetModelRequest& request, ModelRegistry& registry,
                      grpc::ByteBuffer& response, std::string& model) {
  GS_ASSIGN_OR_RETURN(std::shared_ptr<Servable> servable, registry.Get(request.name()));
  v1::ModelInfo info;
  FillInfo(*servable, servable->name == registry.default_model(), info);
  response = Serialize(info);
  model = servable->name;
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* GeneratorService::Generate(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return new GenerateReactor(deps(), context, *request, response);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* GeneratorService::GenerateStream(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  return new GenerateStreamReactor(deps(), context, *request);
}

grpc::ServerUnaryReactor* GeneratorService::ListModels(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) {
  return new RegistryReactor<v1::ListModelsRequest>(deps(), context, *request, response,
                                                    &ganserve::ListModels);
}

grpc::ServerUnaryReactor* GeneratorService::GetModel(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return new RegistryReactor<v1::GetModelRequest>(deps(), context, *request, response,
                                                  &ganserve::GetModel);
}

}  // namespace ganserve
