// Load-time evaluation of the tensor-shuffling ops PyTorch emits around
// constants: ConstantOfShape, Slice (the reversed pads of F.pad), Transpose,
// Equal, Where, Expand and Tile. Called by FoldNode when every input is known.
#ifndef GANSERVE_ENGINE_LOADERS_ONNX_CONSTANT_TENSOR_OPS_H_
#define GANSERVE_ENGINE_LOADERS_ONNX_CONSTANT_TENSOR_OPS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "engine/loaders/onnx_proto_reader.h"

namespace ganserve {

using ConstInputs = std::vector<const ConstTensor*>;

absl::StatusOr<ConstTensor> FoldConstantOfShape(const onnx::NodeProto& node, const ConstInputs& in);
absl::StatusOr<ConstTensor> FoldSlice(const onnx::NodeProto& node, const ConstInputs& in,
                                      int64_t opset);
absl::StatusOr<ConstTensor> FoldTranspose(const onnx::NodeProto& node, const ConstInputs& in);
// Equal, Greater, Less, GreaterOrEqual, LessOrEqual: 0/1 integers.
absl::StatusOr<ConstTensor> FoldComparison(const onnx::NodeProto& node, const ConstInputs& in);
absl::StatusOr<ConstTensor> FoldNot(const onnx::NodeProto& node, const ConstInputs& in);
absl::StatusOr<ConstTensor> FoldWhere(const onnx::NodeProto& node, const ConstInputs& in);
absl::StatusOr<ConstTensor> FoldExpand(const onnx::NodeProto& node, const ConstInputs& in);
absl::StatusOr<ConstTensor> FoldTile(const onnx::NodeProto& node, const ConstInputs& in);
// `data` repeated `repeats[a]` times along each axis a (ONNX Tile).
absl::StatusOr<ConstTensor> TileConst(const onnx::NodeProto& node, const ConstTensor& data,
                                      const std::vector<int64_t>& repeats);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_ONNX_CONSTANT_TENSOR_OPS_H_
