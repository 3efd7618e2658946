// Keras Reshape / ONNX Reshape: row-major reinterpretation of each sample.
// One target axis may be -1 (inferred).
#ifndef GANSERVE_ENGINE_OPS_RESHAPE_H_
#define GANSERVE_ENGINE_OPS_RESHAPE_H_

#include "engine/op.h"

namespace ganserve {

class ReshapeOp : public Op {
 public:
  explicit ReshapeOp(Dims target) : target_(std::move(target)) {}
  absl::string_view Type() const override { return "Reshape"; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs,
                            Tensor& output) const override;
  const Dims& target() const { return target_; }

 private:
  Dims target_;
};

// Keras Flatten: every sample to one axis (row-major over H, W, C).
class FlattenOp : public Op {
 public:
  absl::string_view Type() const override { return "Flatten"; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs,
                            Tensor& output) const override;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_RESHAPE_H_
