// Reads an ONNX ModelProto with protobuf (size-guarded) and turns its
// TensorProtos and attributes into plain C++ values for the loader.
#ifndef GANSERVE_ENGINE_LOADERS_ONNX_PROTO_READER_H_
#define GANSERVE_ENGINE_LOADERS_ONNX_PROTO_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/tensor.h"
#include "onnx/onnx_pb.h"

namespace ganserve {

// A constant tensor known at load time: initializers, Constant nodes and
// folded subgraphs. Integers are held exactly in double (|v| < 2^53). NaN
// marks an entry that depends on the batch size (Shape of a batched value).
struct ConstTensor {
  Dims dims;  // the whole shape; a scalar has none
  std::vector<double> values;
  bool is_integer = false;

  int64_t size() const { return static_cast<int64_t>(values.size()); }
  Tensor ToFloat() const;
};

// Files larger than this are refused before parsing (protobuf's own limit is 2 GiB).
inline constexpr int64_t kMaxOnnxFileBytes = int64_t{1} << 31;

absl::StatusOr<onnx::ModelProto> ReadOnnxFile(const std::string& path);
absl::StatusOr<onnx::ModelProto> ParseOnnxBytes(const std::string& bytes);

// Float, double, integer and bool tensors, raw_data or typed fields.
// External data and other element types are refused by name.
absl::StatusOr<ConstTensor> ConstFromTensorProto(const onnx::TensorProto& proto);

// Attribute lookups. A missing attribute yields the fallback; one of the
// wrong type is an error naming the node.
class Attributes {
 public:
  explicit Attributes(const onnx::NodeProto& node) : node_(node) {}
  const onnx::AttributeProto* Find(const std::string& name) const;
  absl::StatusOr<int64_t> Int(const std::string& name, int64_t fallback) const;
  absl::StatusOr<float> Float(const std::string& name, float fallback) const;
  absl::StatusOr<std::string> String(const std::string& name, std::string fallback) const;
  absl::StatusOr<std::vector<int64_t>> Ints(const std::string& name,
                                            std::vector<int64_t> fallback) const;
  absl::StatusOr<std::vector<float>> Floats(const std::string& name,
                                            std::vector<float> fallback) const;

 private:
  absl::Status WrongType(const onnx::AttributeProto& a, const char* want) const;
  const onnx::NodeProto& node_;
};

// "Conv node 'name'" for error messages.
std::string NodeLabel(const onnx::NodeProto& node);
// The node's name, or its first output's when it has none.
std::string NodeName(const onnx::NodeProto& node);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_ONNX_PROTO_READER_H_
