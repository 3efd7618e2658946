// The Open Inference Protocol's request and response tensors in a form no
// protocol owns. The gRPC front end (inference_grpc_convert.h) and the
// HTTP/JSON one decode into and encode from these types; inference_plan.h
// turns a request into generation work, inference_outputs.h images into
// the response's tensors.
#ifndef GANSERVE_SERVER_INFERENCE_TENSORS_H_
#define GANSERVE_SERVER_INFERENCE_TENSORS_H_

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

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

struct InferTensorMetadata {
  std::string name;
  std::string datatype;
  std::vector<int64_t> shape;  // kAnySize for a variable dimension
};

struct InferOutput : InferTensorMetadata {
  std::string data;                   // fixed-size datatypes: the elements, little-endian
  std::vector<std::string> elements;  // BYTES: one string per element
};

}  // namespace ganserve

#endif  // GANSERVE_SERVER_INFERENCE_TENSORS_H_
