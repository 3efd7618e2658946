#include "server/inference_plan.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/status_context.h"
#include "engine/status_macros.h"

namespace ganserve {
namespace {

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

std::string ShapeString(const std::vector<int64_t>& shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

std::string Quoted(const std::string& name) { return absl::StrCat("'", name, "'"); }

absl::Status CheckDatatype(const InferInput& input, const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), input.datatype) != allowed.end()) {
    return absl::OkStatus();
  }
  return Invalid(absl::StrCat("input ", Quoted(input.name), " must have datatype ",
                              absl::StrJoin(allowed, " or "), ", got ",
                              input.datatype.empty() ? "none" : input.datatype));
}

// The shape's element count matches the elements given.
absl::Status CheckElements(const InferInput& input) {
  int64_t expected = 1;
  for (int64_t d : input.shape) {
    if (d < 0) {
      return Invalid(absl::StrCat("input ", Quoted(input.name), " has shape ",
                                  ShapeString(input.shape), "; dimensions cannot be negative"));
    }
    if (d > 0 && expected > std::numeric_limits<int64_t>::max() / d) {
      return Invalid(absl::StrCat("input ", Quoted(input.name), " has shape ",
                                  ShapeString(input.shape), ", too many elements"));
    }
    expected *= d;
  }
  const size_t given = input.datatype == "FP32" ? input.floats.size() : input.integers.size();
  if (static_cast<int64_t>(given) != expected) {
    return Invalid(absl::StrCat("input ", Quoted(input.name), " has shape ",
                                ShapeString(input.shape), " (", expected, " elements) but ", given,
                                " elements were given"));
  }
  return absl::OkStatus();
}

// Every input is known to the model and named once.
absl::Status CheckInputNames(const LoadedGenerator& generator, const InferRequest& request) {
  std::vector<std::string> known = {kLatentInput};
  if (generator.conditional()) known.push_back(kLabelInput);
  std::vector<std::string> seen;
  for (const InferInput& input : request.inputs) {
    if (std::find(known.begin(), known.end(), input.name) == known.end()) {
      return Invalid(absl::StrCat("unknown input ", Quoted(input.name),
                                  "; this model's inputs are: ", absl::StrJoin(known, ", ")));
    }
    if (std::find(seen.begin(), seen.end(), input.name) != seen.end()) {
      return Invalid(absl::StrCat("input ", Quoted(input.name), " is given twice"));
    }
    seen.push_back(input.name);
  }
  return absl::OkStatus();
}

const InferInput* FindInput(const InferRequest& request, const std::string& name) {
  for (const InferInput& input : request.inputs) {
    if (input.name == name) return &input;
  }
  return nullptr;
}

const InferParameterValue* FindParameter(const InferRequest& request, const std::string& name) {
  auto it = request.parameters.find(name);
  return it == request.parameters.end() ? nullptr : &it->second;
}

absl::StatusOr<int64_t> IntegerParameter(const InferParameterValue& value, const char* name) {
  if (const auto* i = std::get_if<int64_t>(&value)) return *i;
  if (const auto* u = std::get_if<uint64_t>(&value);
      u != nullptr && *u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(*u);
  }
  return Invalid(absl::StrCat("parameter '", name, "' must be an integer"));
}

absl::StatusOr<uint64_t> SeedParameter(const InferParameterValue& value) {
  if (const auto* u = std::get_if<uint64_t>(&value)) return *u;
  if (const auto* i = std::get_if<int64_t>(&value); i != nullptr && *i >= 0) {
    return static_cast<uint64_t>(*i);
  }
  return Invalid(absl::StrCat("parameter '", kSeedParameter, "' must be an integer from 0 to ",
                              std::numeric_limits<uint64_t>::max()));
}

absl::StatusOr<double> NumberParameter(const InferParameterValue& value, const char* name) {
  if (const auto* d = std::get_if<double>(&value)) return *d;
  if (const auto* i = std::get_if<int64_t>(&value)) return static_cast<double>(*i);
  if (const auto* u = std::get_if<uint64_t>(&value)) return static_cast<double>(*u);
  return Invalid(absl::StrCat("parameter '", name, "' must be a number"));
}

// The latents: the `latent` input's rows, or drawn from the parameters.
absl::Status ResolveLatents(const LoadedGenerator& generator, const InferRequest& request,
                            const GenerationLimits& limits, GenerationRequest& out) {
  const int64_t z = generator.latent_size();
  const InferInput* latent = FindInput(request, kLatentInput);
  const InferParameterValue* seed = FindParameter(request, kSeedParameter);
  const InferParameterValue* count = FindParameter(request, kCountParameter);
  const InferParameterValue* truncation = FindParameter(request, kTruncationParameter);
  if (latent != nullptr) {
    if (seed != nullptr || count != nullptr || truncation != nullptr) {
      return Invalid(absl::StrCat("give the input '", kLatentInput, "' or the parameters '",
                                  kSeedParameter, "', '", kCountParameter, "', '",
                                  kTruncationParameter, "', not both"));
    }
    GS_RETURN_IF_ERROR(CheckDatatype(*latent, {"FP32"}));
    if (latent->shape.size() != 2 || latent->shape[1] != z || latent->shape[0] < 1) {
      return Invalid(absl::StrCat("input ", Quoted(latent->name), " must have shape [-1, ", z,
                                  "] (one row of ", z, " values per image), got ",
                                  ShapeString(latent->shape)));
    }
    GS_RETURN_IF_ERROR(CheckElements(*latent));
    out.latents = latent->floats;
    return absl::OkStatus();
  }
  out.count = 1;
  if (count != nullptr) {
    GS_ASSIGN_OR_RETURN(out.count, IntegerParameter(*count, kCountParameter));
  }
  if (out.count < 1 || out.count > limits.max_images_per_request) {
    return Invalid(absl::StrCat("parameter '", kCountParameter, "' must be 1 to ",
                                limits.max_images_per_request, ", got ", out.count));
  }
  if (seed != nullptr) {
    GS_ASSIGN_OR_RETURN(out.seed, SeedParameter(*seed));
  }
  if (truncation != nullptr) {
    GS_ASSIGN_OR_RETURN(const double t, NumberParameter(*truncation, kTruncationParameter));
    if (!std::isfinite(t) || (t != 0.0 && t < kMinTruncation)) {
      return Invalid(absl::StrCat("parameter '", kTruncationParameter,
                                  "' must be 0 (off) or a finite number >= ", kMinTruncation,
                                  ", got ", t));
    }
    if (t != 0.0 && generator.default_distribution() == Distribution::kUniform) {
      return Invalid(absl::StrCat("parameter '", kTruncationParameter,
                                  "' applies to normal latents; this model draws uniform ones"));
    }
    out.truncation = static_cast<float>(t);
  }
  return absl::OkStatus();
}

absl::Status ResolveLabels(const LoadedGenerator& generator, const InferRequest& request,
                           int64_t count, GenerationRequest& out) {
  if (!generator.conditional()) return absl::OkStatus();
  const InferInput* label = FindInput(request, kLabelInput);
  if (label == nullptr) {
    return Invalid(absl::StrCat("missing input '", kLabelInput,
                                "' (INT32 or INT64, shape [-1]): this model is conditional"));
  }
  GS_RETURN_IF_ERROR(CheckDatatype(*label, {"INT32", "INT64"}));
  if (label->shape.size() != 1) {
    return Invalid(absl::StrCat("input ", Quoted(label->name), " must have shape [-1], got ",
                                ShapeString(label->shape)));
  }
  GS_RETURN_IF_ERROR(CheckElements(*label));
  const int64_t given = static_cast<int64_t>(label->integers.size());
  if (given != 1 && given != count) {
    return Invalid(absl::StrCat("input ", Quoted(label->name), " has ", given,
                                " values; give 1 (for every image) or one per image (", count,
                                ")"));
  }
  const int64_t k = generator.label_count();
  for (int64_t value : label->integers) {
    if (value < 0 || value >= k) {
      return Invalid(absl::StrCat("input ", Quoted(label->name), ": label ", value,
                                  " is out of range [0, ", k, ")"));
    }
    out.labels.push_back(static_cast<int32_t>(value));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<InferOutputKind>> ResolveOutputs(const InferRequest& request) {
  static const std::vector<std::pair<std::string, InferOutputKind>> kOutputs = {
      {kImageOutput, InferOutputKind::kImage},
      {kImageUint8Output, InferOutputKind::kImageUint8},
      {kPngOutput, InferOutputKind::kPng}};
  std::vector<InferOutputKind> kinds;
  if (request.outputs.empty()) {
    for (const auto& [name, kind] : kOutputs) kinds.push_back(kind);
    return kinds;
  }
  for (const std::string& name : request.outputs) {
    auto it = std::find_if(kOutputs.begin(), kOutputs.end(),
                           [&](const auto& output) { return output.first == name; });
    if (it == kOutputs.end()) {
      return Invalid(absl::StrCat("unknown output ", Quoted(name), "; this model's outputs are: ",
                                  kImageOutput, ", ", kImageUint8Output, ", ", kPngOutput));
    }
    if (std::find(kinds.begin(), kinds.end(), it->second) != kinds.end()) {
      return Invalid(absl::StrCat("output ", Quoted(name), " is requested twice"));
    }
    kinds.push_back(it->second);
  }
  return kinds;
}

// What each image must be delivered as: one encoding the run can do on its
// pool when it is all the outputs need, else the floats the others derive from.
ImageEncoding RunEncoding(const std::vector<InferOutputKind>& kinds) {
  if (kinds.size() == 1 && kinds[0] == InferOutputKind::kPng) return ImageEncoding::kPng;
  if (kinds.size() == 1 && kinds[0] == InferOutputKind::kImageUint8) {
    return ImageEncoding::kRawUint8;
  }
  return ImageEncoding::kRawFloat32;
}

}  // namespace

absl::StatusOr<InferPlan> PlanInference(const LoadedGenerator& generator,
                                        const InferRequest& request,
                                        const GenerationLimits& limits) {
  GS_RETURN_IF_ERROR(CheckInputNames(generator, request));
  GenerationRequest generation;
  GS_RETURN_IF_ERROR(ResolveLatents(generator, request, limits, generation));
  const int64_t count = generation.latents ? static_cast<int64_t>(generation.latents->size()) /
                                                 generator.latent_size()
                                           : generation.count;
  GS_RETURN_IF_ERROR(ResolveLabels(generator, request, count, generation));
  InferPlan plan;
  GS_ASSIGN_OR_RETURN(plan.outputs, ResolveOutputs(request));
  plan.encoding = RunEncoding(plan.outputs);
  absl::StatusOr<PreparedGeneration> work = PrepareGeneration(generator, generation, limits);
  if (!work.ok()) {
    // Inputs and parameters are checked above; what is left is about the latent values.
    return WithPrefix(absl::StrCat("input '", kLatentInput, "'"), work.status());
  }
  plan.work = *std::move(work);
  if (!generation.latents.has_value()) {
    generation.encoding = plan.encoding;
    plan.seeded = std::move(generation);
  }
  return plan;
}

}  // namespace ganserve
