// The ONNX op translation table: one function per ONNX op type that turns a
// node into IR nodes in an OnnxContext. An explicit table, no self-registration.
#ifndef GANSERVE_ENGINE_LOADERS_ONNX_OP_TABLE_H_
#define GANSERVE_ENGINE_LOADERS_ONNX_OP_TABLE_H_

#include <string>

#include "absl/status/status.h"
#include "engine/loaders/onnx_context.h"

namespace ganserve {

using OnnxTranslator = absl::Status (*)(const onnx::NodeProto& node, OnnxContext& ctx);

// Null when the op type is not supported.
OnnxTranslator FindOnnxTranslator(const std::string& op_type);

// The per-sample part of a constant broadcast against the batched value `v`,
// laid out like `v` in the IR; refused, naming the node, when it does not
// broadcast.
absl::StatusOr<Tensor> ConstantPerSample(const onnx::NodeProto& node, const ConstTensor& c,
                                         const OnnxValue& v);

// Translators, grouped by file.
// onnx_op_table.cc: element-wise ops and plumbing.
absl::Status TranslateActivation(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateIdentity(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateConcat(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateArithmetic(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateShape(const onnx::NodeProto& node, OnnxContext& ctx);
// onnx_mask_ops.cc: comparisons of batched values, the 0/1 masks they make
// and Where choosing by a mask.
absl::Status TranslateComparison(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateNot(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateCast(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateWhere(const onnx::NodeProto& node, OnnxContext& ctx);
// onnx_batched_constant_ops.cc: Expand, Tile and ConstantOfShape to the batch.
absl::Status TranslateExpand(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateTile(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateConstantOfShape(const onnx::NodeProto& node, OnnxContext& ctx);
// onnx_shape_ops.cc: ops that see the sample in ONNX order.
absl::Status TranslateReshape(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateFlatten(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateSqueeze(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateGemm(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateMatMul(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateGather(const onnx::NodeProto& node, OnnxContext& ctx);
// onnx_conv_ops.cc: ops on channels-last images.
absl::Status TranslateConv(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateConvTranspose(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateBatchNorm(const onnx::NodeProto& node, OnnxContext& ctx);
// onnx_resize_ops.cc
absl::Status TranslateResize(const onnx::NodeProto& node, OnnxContext& ctx);
// onnx_norm_pad_ops.cc
absl::Status TranslatePad(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateLayerNorm(const onnx::NodeProto& node, OnnxContext& ctx);
absl::Status TranslateInstanceNorm(const onnx::NodeProto& node, OnnxContext& ctx);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_ONNX_OP_TABLE_H_
