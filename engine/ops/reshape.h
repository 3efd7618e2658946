// Keras Reshape / ONNX Reshape: row-major reinterpretation of each sample.
// One target axis may be -1 (inferred).
#ifndef GANSERVE_ENGINE_OPS_RESHAPE_H_
#define GANSERVE_ENGINE_OPS_RESHAPE_H_

#include "engine/op.h"

namespace ganserve {

class ReshapeOp : public Op {
 public:
  explicit ReshapeOp(Dims target) : target_(std::move(target)) {}
  static constexpr absl::string_view kType = "Reshape";
  absl::string_view Type() const override { return kType; }
  bool IsShapeOnly() const override { return true; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  const Dims& target() const { return target_; }

 private:
  Dims target_;
};

// Keras Flatten: every sample to one axis (row-major over H, W, C).
class FlattenOp : public Op {
 public:
  static constexpr absl::string_view kType = "Flatten";
  absl::string_view Type() const override { return kType; }
  bool IsShapeOnly() const override { return true; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_RESHAPE_H_
