// y = x * scale + shift with constant per-sample tensors: what an ONNX Mul,
// Add, Sub or Div with a constant operand is (PyTorch's `x * 2 - 1`, a
// standalone bias). The loader broadcasts the constants to the sample shape.
#ifndef GANSERVE_ENGINE_OPS_SCALE_SHIFT_H_
#define GANSERVE_ENGINE_OPS_SCALE_SHIFT_H_

#include "engine/op.h"

namespace ganserve {

class ScaleShiftOp : public Op {
 public:
  // scale and shift: the per-sample shape of the input.
  ScaleShiftOp(Tensor scale, Tensor shift) : scale_(std::move(scale)), shift_(std::move(shift)) {}
  static constexpr absl::string_view kType = "ScaleShift";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  const Tensor& scale() const { return scale_; }
  const Tensor& shift() const { return shift_; }

 private:
  Tensor scale_;
  Tensor shift_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_SCALE_SHIFT_H_
