// Evaluates ONNX nodes whose inputs are all known at load time (the shape
// arithmetic PyTorch exports for view(x.size(0), ...), Constant nodes,
// casts), so the IR only sees ops on batched values.
#ifndef GANSERVE_ENGINE_LOADERS_ONNX_CONSTANT_FOLDING_H_
#define GANSERVE_ENGINE_LOADERS_ONNX_CONSTANT_FOLDING_H_

#include <vector>

#include "absl/status/statusor.h"
#include "engine/loaders/onnx_proto_reader.h"

namespace ganserve {

bool IsFoldable(const std::string& op_type);

// Expand and ConstantOfShape to a shape, and Tile by repeats, whose batch
// entry is unknown (NaN) make a batched value, not a constant: the translator builds those.
bool MakesABatch(const onnx::NodeProto& node, const std::vector<const ConstTensor*>& inputs);

// `inputs[i]` is null for a missing optional input. Returns the node's outputs.
absl::StatusOr<std::vector<ConstTensor>> FoldNode(const onnx::NodeProto& node,
                                                  const std::vector<const ConstTensor*>& inputs,
                                                  int64_t opset);

// Input `i`, which must be present.
absl::StatusOr<const ConstTensor*> FoldInput(const onnx::NodeProto& node,
                                             const std::vector<const ConstTensor*>& inputs,
                                             size_t i);

// The values of an integer tensor as int64s, INT64_MAX and INT64_MIN included
// (which a double cannot hold exactly); NaN (batch-dependent) is an error.
absl::StatusOr<std::vector<int64_t>> FoldInts(const onnx::NodeProto& node, const ConstTensor& c);

// numpy broadcasting of `c` to `target` (both whole shapes).
absl::StatusOr<ConstTensor> BroadcastTo(const ConstTensor& c, const Dims& target);
// The numpy-broadcast shape of a and b.
absl::StatusOr<Dims> BroadcastShape(const Dims& a, const Dims& b);

// Normalizes an ONNX axis (negative counts from the end) against `rank`.
absl::StatusOr<int> NormalizeAxis(int64_t axis, int64_t rank);
// The same, its error naming the node whose attribute the axis is.
absl::StatusOr<int> NormalizeAxis(const onnx::NodeProto& node, int64_t axis, int64_t rank);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_ONNX_CONSTANT_FOLDING_H_
