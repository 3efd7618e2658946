// Keras Concatenate / ONNX Concat along one per-sample axis.
#ifndef GANSERVE_ENGINE_OPS_CONCATENATE_H_
#define GANSERVE_ENGINE_OPS_CONCATENATE_H_

#include "engine/op.h"

namespace ganserve {

class ConcatenateOp : public Op {
 public:
  // axis: per-sample axis (batch excluded); negative counts from the end.
  explicit ConcatenateOp(int axis) : axis_(axis) {}
  static constexpr absl::string_view kType = "Concatenate";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  int axis() const { return axis_; }

 private:
  int axis_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_CONCATENATE_H_
