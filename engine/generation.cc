#include "engine/generation.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/png.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

absl::StatusOr<std::vector<int32_t>> ResolveLabels(const LoadedGenerator& generator,
                                                   const GenerationRequest& request,
                                                   int64_t count) {
  const int64_t k = generator.label_count();
  if (!generator.conditional()) {
    if (!request.labels.empty() || !request.label_names.empty()) {
      return Invalid("this model is unconditional: send no labels");
    }
    return std::vector<int32_t>{};
  }
  if (!request.labels.empty() && !request.label_names.empty()) {
    return Invalid("give labels or label_names, not both");
  }
  std::vector<int32_t> labels = request.labels;
  for (const std::string& name : request.label_names) {
    const auto& names = generator.label_names();
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      return Invalid(absl::StrCat("unknown label name \"", name, "\"; the model's labels are: ",
                                  names.empty() ? "(none named)" : absl::StrJoin(names, ", ")));
    }
    labels.push_back(static_cast<int32_t>(it - names.begin()));
  }
  if (labels.empty()) {
    return Invalid(absl::StrCat("this model is conditional: give labels in [0, ", k,
                                ") — one per image or one for all"));
  }
  if (static_cast<int64_t>(labels.size()) != 1 && static_cast<int64_t>(labels.size()) != count) {
    return Invalid(
        absl::StrCat("expected 1 label or one per image (", count, "), got ", labels.size()));
  }
  for (int32_t label : labels) {
    if (label < 0 || label >= k) {
      return Invalid(absl::StrCat("label ", label, " is out of range: expected 0 to ", k - 1));
    }
  }
  if (labels.size() == 1) labels.assign(count, labels[0]);
  return labels;
}

}  // namespace

absl::StatusOr<PreparedGeneration> PrepareGeneration(const LoadedGenerator& generator,
                                                     const GenerationRequest& request,
                                                     const GenerationLimits& limits) {
  const int64_t z = generator.latent_size();
  const int64_t max = limits.max_images_per_request;
  PreparedGeneration work;
  if (request.latents.has_value()) {
    const auto& values = *request.latents;
    if (values.empty() || values.size() % z != 0) {
      return Invalid(absl::StrCat("expected latents of ", z, " values each (a multiple of ", z,
                                  "), got ", values.size(), " values"));
    }
    work.count = static_cast<int64_t>(values.size()) / z;
    if (work.count > max) {
      return Invalid(absl::StrCat("at most ", max, " images per request, got ", work.count));
    }
    for (size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i])) {
        return Invalid(absl::StrCat("latent value ", i, " is not finite (", values[i], ")"));
      }
      if (std::abs(values[i]) > limits.max_latent_magnitude) {
        return Invalid(absl::StrCat("latent value ", i, " is ", values[i],
                                    "; latent values must be within ±",
                                    limits.max_latent_magnitude));
      }
    }
    work.latents = values;
  } else {
    if (request.count <= 0 || request.count > max) {
      return Invalid(absl::StrCat("sampling.count must be 1 to ", max, ", got ", request.count));
    }
    const float t = request.truncation;
    if (!std::isfinite(t) || (t != 0.0f && t < kMinTruncation)) {
      return Invalid(absl::StrCat("sampling.truncation must be 0 (off) or a finite number >= ",
                                  kMinTruncation, ", got ", t));
    }
    const Distribution distribution =
        request.distribution.value_or(generator.default_distribution());
    if (t != 0.0f && distribution == Distribution::kUniform) {
      return Invalid(
          "sampling.truncation applies to the normal distribution only; the uniform one (given, "
          "or the model's default) is already within [-1, 1): send truncation 0 or ask for "
          "LATENT_DISTRIBUTION_NORMAL");
    }
    work.count = request.count;
    SamplingSpec spec{request.seed, distribution, t};
    work.latents = SampleLatents(spec, work.count, z, request.first_index);
  }
  GS_ASSIGN_OR_RETURN(work.labels, ResolveLabels(generator, request, work.count));
  return work;
}

absl::StatusOr<std::string> EncodeImage(const LoadedGenerator& generator, const float* pixels,
                                        ImageEncoding encoding) {
  const absl::Span<const float> values(pixels, generator.image_size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return absl::InternalError(
          absl::StrCat("the model produced a non-finite value (", values[i], ") at pixel value ", i,
                       " of an image; its weights or these latents overflow float32"));
    }
  }
  if (encoding == ImageEncoding::kRawFloat32) {
    return std::string(reinterpret_cast<const char*>(pixels), values.size() * sizeof(float));
  }
  std::vector<uint8_t> bytes = ToUint8(values, generator.value_min(), generator.value_max());
  if (encoding == ImageEncoding::kRawUint8) return std::string(bytes.begin(), bytes.end());
  Image8 image{generator.height(), generator.width(), generator.channels(), std::move(bytes)};
  return EncodePng(image);
}

}  // namespace ganserve
