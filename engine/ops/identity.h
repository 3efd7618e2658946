// Layers that are the identity at inference: Dropout, GaussianNoise,
// GaussianDropout, SpatialDropout2D, ONNX Identity. The node's class_name
// keeps what the file called it.
#ifndef GANSERVE_ENGINE_OPS_IDENTITY_H_
#define GANSERVE_ENGINE_OPS_IDENTITY_H_

#include "engine/op.h"

namespace ganserve {

class IdentityOp : public Op {
 public:
  static constexpr absl::string_view kType = "Identity";
  absl::string_view Type() const override { return kType; }
  bool IsShapeOnly() const override { return true; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_IDENTITY_H_
