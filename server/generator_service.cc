#include "server/generator_service.h"

#include <deque>
#include <mutex>
#include <optional>

#include "engine/status_macros.h"
#include "server/generation_run.h"
#include "server/proto_convert.h"
#include "server/run_reactor.h"

namespace ganserve {
namespace {

// A parsed, validated Generate request against its model.
struct GenerateCall {
  std::shared_ptr<Servable> servable;
  v1::ImageFormat format = v1::IMAGE_FORMAT_UNSPECIFIED;
  PreparedGeneration work;
  GenerationRunOptions run;
  std::optional<SeededKey> cache_key;
};

absl::StatusOr<GenerateCall> PrepareCall(ServiceDeps& deps,
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
  call.cache_key = SeededCacheKey(*call.servable, request);
  call.format = proto.format();
  call.run.encoding = request.encoding;
  call.run.return_latents = request.return_latents;
  call.run.deadline = SteadyDeadline(context);
  return call;
}

// What the Generate reactors share: preparing the call.
template <class Reactor>
class GenerateBase : public RunReactor<Reactor> {
 protected:
  GenerateBase(ServiceDeps deps, grpc::CallbackServerContext* context, std::string method)
      : RunReactor<Reactor>(deps, context, std::move(method)) {}

  // The validated call, or nothing once the refusal is sent.
  std::optional<GenerateCall> Prepare(const grpc::ByteBuffer& request) {
    if (!this->Admitted()) return std::nullopt;
    absl::StatusOr<GenerateCall> call =
        PrepareCall(this->deps_, *this->context_, request, this->model_);
    if (!call.ok()) {
      this->Reply(this->model_, call.status());
      return std::nullopt;
    }
    return *std::move(call);
  }
  void Start(GenerateCall call, GenerationSink sink) {
    RunReactor<Reactor>::Start(std::move(call.servable), std::move(call.work), call.run,
                               std::move(sink), call.cache_key);
  }
};

class GenerateReactor : public GenerateBase<grpc::ServerUnaryReactor> {
 public:
  GenerateReactor(ServiceDeps deps, grpc::CallbackServerContext* context,
                  const grpc::ByteBuffer& request, grpc::ByteBuffer* response)
      : GenerateBase(deps, context, "Generate"), response_(response) {
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
        status = Serialize(answer_, *response_);
      }
      NoteRun(status.ok() ? count : 0);
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
  GenerateStreamReactor(ServiceDeps deps, grpc::CallbackServerContext* context,
                        const grpc::ByteBuffer& request)
      : GenerateBase(deps, context, "GenerateStream") {
    std::optional<GenerateCall> call = Prepare(request);
    if (!call) return;
    call->run.consume_on_delivery = false;
    GenerationSink sink;
    sink.on_image = [this, generator = call->servable->generator,
                     format = call->format](EncodedImage image) {
      grpc::ByteBuffer bytes;
      absl::Status encoded = Serialize(ToProto(*generator, format, std::move(image)), bytes);
      if (!encoded.ok()) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          unsent_ = std::move(encoded);
        }
        // Safe from inside the sink: the run calls on_done once this returns.
        if (std::shared_ptr<GenerationRun> run = this->run()) run->Cancel();
        return;
      }
      std::lock_guard<std::mutex> lock(mu_);
      if (broken_) return;
      pending_.push_back(std::move(bytes));
      WriteNextLocked();
    };
    sink.on_done = [this, count = call->work.count](absl::Status status) {
      if (status.ok()) CountImages(count);
      std::lock_guard<std::mutex> lock(mu_);
      run_done_ = true;
      if (!unsent_.ok()) {
        status_ = unsent_;
      } else if (!broken_ || !status.ok()) {
        status_ = std::move(status);
      }
      // A failed run ends the stream now; a finished one once its images are written.
      if (!status_.ok()) pending_.resize(writing_ ? 1 : 0);
      CloseIfDoneLocked();
    };
    Start(*std::move(call), std::move(sink));
  }

 private:
  void WriteNextLocked() {
    if (writing_ || pending_.empty() || closed_ || broken_) return;
    writing_ = true;
    StartWrite(&pending_.front());
  }

  void CloseIfDoneLocked() {
    if (!run_done_ || writing_ || closed_ || !pending_.empty()) return;
    closed_ = true;
    NoteRun(written_);
    Reply(model_, status_);
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      pending_.pop_front();
      written_ += ok;
      if (!ok) {
        // The stream broke (the client cancelled or went away): nothing more
        // can be written. A run already done ends the call here, since its
        // on_done has been and gone; a running one ends it from on_done.
        broken_ = true;
        pending_.clear();
        if (status_.ok()) status_ = absl::CancelledError("the stream broke before its last image");
      }
      WriteNextLocked();
      CloseIfDoneLocked();
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
  bool broken_ = false;  // a write failed
  int64_t written_ = 0;  // images the stream wrote
  bool closed_ = false;
  absl::Status unsent_;  // an image that could not be encoded ends the stream with this
  absl::Status status_;
};

absl::Status ListModels(const v1::ListModelsRequest&, ModelRegistry& registry,
                        grpc::ByteBuffer& response, std::string&) {
  v1::ListModelsResponse answer;
  const std::string default_model = registry.default_model();
  for (const auto& servable : registry.List()) {
    FillInfo(*servable, servable->name == default_model, *answer.add_models());
  }
  return Serialize(answer, response);
}

absl::Status GetModel(const v1::GetModelRequest& request, ModelRegistry& registry,
                      grpc::ByteBuffer& response, std::string& model) {
  GS_ASSIGN_OR_RETURN(std::shared_ptr<Servable> servable, registry.Get(request.name()));
  v1::ModelInfo info;
  FillInfo(*servable, servable->name == registry.default_model(), info);
  model = servable->name;
  return Serialize(info, response);
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
                                                    &ganserve::ListModels, "ListModels");
}

grpc::ServerUnaryReactor* GeneratorService::GetModel(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return new RegistryReactor<v1::GetModelRequest>(deps(), context, *request, response,
                                                  &ganserve::GetModel, "GetModel");
}

}  // namespace ganserve
