// The Open Inference Protocol's request and response tensors in a form no
// protocol owns, and what they mean for a generator: named typed inputs and
// parameters become validated generation work (PlanInference), generated
// images become the requested output tensors (InferOutputs). The gRPC
// front end (inference_grpc_convert.h) and the HTTP/JSON one decode into
// and encode from these types.
#ifndef GANSERVE_SERVER_INFERENCE_TENSORS_H_
#define GANSERVE_SERVER_INFERENCE_TENSORS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/generation.h"
#include "engine/generator.h"
#include "server/generation_run.h"

namespace ganserve {

// The tensor and parameter names of the protocol surface.
inline constexpr char kLatentInput[] = "latent";
inline constexpr char kLabelInput[] = "label";
inline constexpr char kImageOutput[] = "image";
inline constexpr char kImageUint8Output[] = "image_uint8";
inline constexpr char kPngOutput[] = "png";
inline constexpr char kSeedParameter[] = "seed";
inline constexpr char kCountParameter[] = "count";
inline constexpr char kTruncationParameter[] = "truncation";

inline constexpr int64_t kAnySize = -1;

using InferParameterValue = std::variant<bool, int64_t, std::string, double, uint64_t>;
using InferParameters = std::map<std::string, InferParameterValue>;

struct InferInput {
  std::string name;
  std::string datatype;  // "FP32", "INT64", ... as the protocol spells them
  std::vector<int64_t> shape;
  // The elements, row-major: FP32 ones in `floats`; BOOL, INT* and UINT* ones
  // in `integers`. Other datatypes are refused by name, so carry none.
  std::vector<float> floats;
  std::vector<int64_t> integers;
};

struct InferRequest {
  std::string model_name;
  std::string model_version;  // empty: the one served
  std::string id;
  InferParameters parameters;
  std::vector<InferInput> inputs;
  std::vector<std::string> outputs;  // empty: every output
};

enum class InferOutputKind { kImage, kImageUint8, kPng };

struct InferPlan {
  PreparedGeneration work;
  std::vector<InferOutputKind> outputs;  // in the order the response lists them
  // What the generation run should deliver per image to make those outputs.
  ImageEncoding encoding = ImageEncoding::kRawFloat32;
  // The sampling request (in `encoding`) when the latents were drawn from
  // the parameters, not given: what keys the response cache.
  std::optional<GenerationRequest> seeded;
};

// Validates `request` against the model: inputs, their datatypes, shapes and
// element counts, parameters, requested outputs. INVALID_ARGUMENT names the
// tensor or parameter at fault.
absl::StatusOr<InferPlan> PlanInference(const Generator& generator, const InferRequest& request,
                                        const GenerationLimits& limits);

struct InferTensorMetadata {
  std::string name;
  std::string datatype;
  std::vector<int64_t> shape;  // kAnySize for a variable dimension
};

struct InferOutput : InferTensorMetadata {
  std::string data;                   // fixed-size datatypes: the elements, little-endian
  std::vector<std::string> elements;  // BYTES: one string per element
};

// Collects a run's images, delivered in index order, into the output tensors.
class InferOutputs {
 public:
  InferOutputs(const Generator& generator, const InferPlan& plan);

  // `image.data` is in the plan's encoding.
  absl::Status Add(const EncodedImage& image);
  // The outputs, in the plan's order; call once, after the last Add.
  std::vector<InferOutput> Take();

 private:
  const Generator& generator_;
  const ImageEncoding encoding_;
  std::vector<InferOutputKind> kinds_;
  std::vector<InferOutput> outputs_;
};

// The datatype and shape of one output for `count` images (kAnySize: any).
InferTensorMetadata DescribeOutput(const Generator& generator, InferOutputKind kind, int64_t count);
// The model's inputs and every output, for metadata.
std::vector<InferTensorMetadata> DescribeInputs(const Generator& generator);
std::vector<InferTensorMetadata> DescribeOutputs(const Generator& generator);

}  // namespace ganserve

#endif  // GANSERVE_SERVER_INFERENCE_TENSORS_H_
