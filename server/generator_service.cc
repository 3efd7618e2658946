#include "server/generator_service.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "server/status_map.h"

namespace ganserve {
namespace {

using Clock = std::chrono::steady_clock;

ImageEncoding ToEncoding(v1::ImageFormat format) {
  switch (format) {
    case v1::IMAGE_FORMAT_RAW_UINT8:
      return ImageEncoding::kRawUint8;
    case v1::IMAGE_FORMAT_RAW_FLOAT32:
      return ImageEncoding::kRawFloat32;
    default:
      return ImageEncoding::kPng;
  }
}

v1::LatentDistribution ToProto(Distribution d) {
  return d == Distribution::kUniform ? v1::LATENT_DISTRIBUTION_UNIFORM
                                     : v1::LATENT_DISTRIBUTION_NORMAL;
}

absl::StatusOr<GenerationRequest> FromProto(const v1::GenerateRequest& proto) {
  GenerationRequest request;
  if (proto.has_latents()) {
    request.latents.emplace(proto.latents().values().begin(), proto.latents().values().end());
  } else if (proto.has_sampling()) {
    const v1::Sampling& s = proto.sampling();
    request.seed = s.seed();
    request.count = s.count();
    request.truncation = s.truncation();
    if (s.distribution() == v1::LATENT_DISTRIBUTION_NORMAL) {
      request.distribution = Distribution::kNormal;
    } else if (s.distribution() == v1::LATENT_DISTRIBUTION_UNIFORM) {
      request.distribution = Distribution::kUniform;
    } else if (s.distribution() != v1::LATENT_DISTRIBUTION_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown latent distribution ", s.distribution()));
    }
  } else {
    return absl::InvalidArgumentError("give either latents or sampling (seed and count)");
  }
  if (proto.format() < v1::IMAGE_FORMAT_UNSPECIFIED ||
      proto.format() > v1::IMAGE_FORMAT_RAW_FLOAT32) {
    return absl::InvalidArgumentError(absl::StrCat("unknown image format ", proto.format()));
  }
  request.labels.assign(proto.labels().begin(), proto.labels().end());
  request.label_names.assign(proto.label_names().begin(), proto.label_names().end());
  request.encoding = ToEncoding(proto.format());
  request.return_latents = proto.return_latents();
  return request;
}

void FillInfo(const Servable& servable, bool is_default, v1::ModelInfo& info) {
  const Generator& g = *servable.generator;
  const LoadedModel& model = g.model();
  info.set_name(servable.name);
  info.set_version(servable.version);
  info.set_source_path(servable.source_path);
  info.set_source_format(model.format);
  info.set_saver_version(model.saver_version);
  info.set_latent_size(g.latent_size());
  info.set_label_count(g.label_count());
  for (const std::string& label : g.label_names()) info.add_label_names(label);
  info.set_output_height(g.height());
  info.set_output_width(g.width());
  info.set_output_channels(g.channels());
  info.set_value_min(g.value_min());
  info.set_value_max(g.value_max());
  info.set_parameter_count(model.graph->Params().total());
  info.set_summary(model.graph->Summary(model.model_name.empty() ? servable.name : model.model_name,
                                        !model.sequential));
  info.set_default_distribution(ToProto(g.default_distribution()));
  info.set_is_default(is_default);
  info.set_images_generated(servable.counters->images.load());
  info.set_batches_run(servable.counters->batches.load());
}

}  // namespace

// Counts the call as in flight and records its metrics when it ends.
class GeneratorService::CallScope {
 public:
  explicit CallScope(GeneratorService& service) : service_(service), start_(Clock::now()) {
    ++service_.in_flight_;
  }
  ~CallScope() { --service_.in_flight_; }
  grpc::Status Finish(const std::string& model, grpc::Status status) {
    // Only names of served models become labels, so clients cannot grow the series.
    const std::string label = model.empty() ? "-" : model;
    service_.metrics_.CountRequest(label, GrpcCodeName(status.error_code()));
    service_.metrics_.ObserveRequestSeconds(
        label, std::chrono::duration<double>(Clock::now() - start_).count());
    return status;
  }

 private:
  GeneratorService& service_;
  Clock::time_point start_;
};

grpc::Status GeneratorService::Admit(grpc::ServerContext* context) const {
  if (draining_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down");
  if (options_.auth_token.empty()) return grpc::Status::OK;
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  const std::string expected = "Bearer " + options_.auth_token;
  if (it == metadata.end() || std::string(it->second.data(), it->second.size()) != expected) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "expected metadata \"authorization: Bearer <token>\" with a valid token");
  }
  return grpc::Status::OK;
}

grpc::Status GeneratorService::RunGenerate(grpc::ServerContext* context,
                                           const v1::GenerateRequest& proto,
                                           std::string& model_name,
                                           const std::function<void(const Servable&)>& on_model,
                                           const std::function<bool(v1::GeneratedImage)>& sink) {
  grpc::Status admitted = Admit(context);
  if (!admitted.ok()) return admitted;
  absl::StatusOr<std::shared_ptr<Servable>> servable = registry_.Get(proto.model());
  if (!servable.ok()) return ToGrpcStatus(servable.status());
  model_name = (*servable)->name;
  absl::StatusOr<GenerationRequest> request = FromProto(proto);
  if (!request.ok()) return ToGrpcStatus(request.status());
  absl::StatusOr<PreparedGeneration> work =
      PrepareGeneration(*(*servable)->generator, *request, options_.limits);
  if (!work.ok()) return ToGrpcStatus(work.status());
  on_model(**servable);

  CallControl control;
  const auto wall_left = context->deadline() - std::chrono::system_clock::now();
  if (context->deadline() != std::chrono::system_clock::time_point::max()) {
    control.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(wall_left);
  }
  control.is_cancelled = [context] { return context->IsCancelled(); };
  const Generator& g = *(*servable)->generator;
  const v1::ImageFormat format =
      proto.format() == v1::IMAGE_FORMAT_UNSPECIFIED ? v1::IMAGE_FORMAT_PNG : proto.format();
  absl::Status status =
      RunGeneration(**servable, *work, *request, control, [&](GeneratedImageData data) {
        v1::GeneratedImage image;
        image.set_index(data.index);
        image.set_height(g.height());
        image.set_width(g.width());
        image.set_channels(g.channels());
        image.set_format(format);
        image.set_data(std::move(data.data));
        image.set_label(data.label);
        image.mutable_latent()->Add(data.latent.begin(), data.latent.end());
        return sink(std::move(image));
      });
  if (status.ok()) metrics_.AddImages(model_name, work->count);
  return ToGrpcStatus(status);
}

grpc::Status GeneratorService::Generate(grpc::ServerContext* context,
                                        const v1::GenerateRequest* request,
                                        v1::GenerateResponse* response) {
  CallScope scope(*this);
  std::string model;
  grpc::Status status = RunGenerate(
      context, *request, model,
      [&](const Servable& s) {
        response->set_model(s.name);
        response->set_model_version(s.version);
      },
      [&](v1::GeneratedImage image) {
        *response->add_images() = std::move(image);
        return true;
      });
  if (!status.ok()) response->Clear();
  return scope.Finish(model, status);
}

grpc::Status GeneratorService::GenerateStream(grpc::ServerContext* context,
                                              const v1::GenerateRequest* request,
                                              grpc::ServerWriter<v1::GeneratedImage>* writer) {
  CallScope scope(*this);
  std::string model;
  grpc::Status status = RunGenerate(
      context, *request, model, [](const Servable&) {},
      [&](v1::GeneratedImage image) { return writer->Write(image); });
  return scope.Finish(model, status);
}

grpc::Status GeneratorService::ListModels(grpc::ServerContext* context,
                                          const v1::ListModelsRequest*,
                                          v1::ListModelsResponse* response) {
  CallScope scope(*this);
  grpc::Status admitted = Admit(context);
  if (!admitted.ok()) return scope.Finish("", admitted);
  const std::string default_model = registry_.default_model();
  for (const auto& servable : registry_.List()) {
    FillInfo(*servable, servable->name == default_model, *response->add_models());
  }
  return scope.Finish("", grpc::Status::OK);
}

grpc::Status GeneratorService::GetModel(grpc::ServerContext* context,
                                        const v1::GetModelRequest* request,
                                        v1::ModelInfo* response) {
  CallScope scope(*this);
  grpc::Status admitted = Admit(context);
  if (!admitted.ok()) return scope.Finish("", admitted);
  absl::StatusOr<std::shared_ptr<Servable>> servable = registry_.Get(request->name());
  if (!servable.ok()) return scope.Finish("", ToGrpcStatus(servable.status()));
  FillInfo(**servable, (*servable)->name == registry_.default_model(), *response);
  return scope.Finish((*servable)->name, grpc::Status::OK);
}

}  // namespace ganserve
