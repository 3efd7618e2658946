#include "server/proto_convert.h"

#include "absl/strings/str_cat.h"
#include "engine/precision.h"
#include "grpcpp/impl/codegen/proto_utils.h"

namespace ganserve {
namespace {

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

}  // namespace

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

v1::GeneratedImage ToProto(const LoadedGenerator& g, v1::ImageFormat format, EncodedImage data) {
  v1::GeneratedImage image;
  image.set_index(data.index);
  image.set_height(g.height());
  image.set_width(g.width());
  image.set_channels(g.channels());
  image.set_format(format == v1::IMAGE_FORMAT_UNSPECIFIED ? v1::IMAGE_FORMAT_PNG : format);
  image.set_data(std::move(data.data));
  image.set_label(data.label);
  image.mutable_latent()->Add(data.latent.begin(), data.latent.end());
  return image;
}

void FillInfo(const Servable& servable, bool is_default, v1::ModelInfo& info) {
  const LoadedGenerator& g = *servable.generator;
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
  info.set_range_source(g.range_source());
  info.set_shape_source(g.shape_source());
  info.set_parameter_count(model.graph->Params().total());
  info.set_summary(model.graph->Summary(model.model_name.empty() ? servable.name : model.model_name,
                                        !model.sequential));
  info.set_default_distribution(ToProto(g.default_distribution()));
  info.set_is_default(is_default);
  info.set_images_generated(servable.counters->images.load());
  info.set_batches_run(servable.counters->batches.load());
  info.set_precision(PrecisionName(g.precision()));
}

absl::Status ParseMessage(const grpc::ByteBuffer& bytes, google::protobuf::Message& message) {
  grpc::ByteBuffer copy(bytes);  // shares the slices; the parser consumes its reader
  if (!grpc::GenericDeserialize<grpc::ProtoBufferReader, google::protobuf::Message>(&copy, &message)
           .ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request (", bytes.Length(), " bytes) could not be parsed as ", message.GetTypeName()));
  }
  return absl::OkStatus();
}

absl::Status Serialize(const google::protobuf::Message& message, grpc::ByteBuffer& bytes,
                       size_t max_bytes) {
  if (const size_t size = message.ByteSizeLong(); size > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the ", message.GetTypeName(), " answer is ", size, " bytes, over the ",
                     max_bytes, " a protobuf message can hold; ask for fewer images per call"));
  }
  bool own_buffer = false;
  const grpc::Status encoded =
      grpc::GenericSerialize<grpc::ProtoBufferWriter, google::protobuf::Message>(message, &bytes,
                                                                                 &own_buffer);
  if (!encoded.ok()) {
    return absl::InternalError(absl::StrCat("could not encode the ", message.GetTypeName(),
                                            " answer: ", encoded.error_message()));
  }
  return absl::OkStatus();
}

}  // namespace ganserve
