// y = x * scale + shift with constant per-sample tensors: what an ONNX Mul,
// Add, Sub or Div with a constant operand is (PyTorch's `x * 2 - 1`, a
// standalone bias). The loader broadcasts the constants to the sample shape.
#ifndef GANSERVE_ENGINE_OPS_SCALE_SHIFT_H_
#define GANSERVE_ENGINE_OPS_SCALE_SHIFT_H_

#include "engine/op.h"

namespace ganserve {

class ScaleShiftOp : public Op {
 public:
  // scale and shift: the per-sample shape of the input. `trainable`: how many
  // of the file's weights they stand for (a layer norm's gamma and beta,
  // repeated over the sample); 0 for an ONNX constant operand.
  ScaleShiftOp(Tensor scale, Tensor shift, int64_t trainable = 0)
      : scale_(std::move(scale)), shift_(std::move(shift)), trainable_(trainable) {}
  static constexpr absl::string_view kType = "ScaleShift";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  ParamCount Params() const override { return {trainable_, 0}; }
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  const Tensor& scale() const { return scale_; }
  const Tensor& shift() const { return shift_; }
  int64_t trainable() const { return trainable_; }

 private:
  Tensor scale_;
  Tensor shift_;
  int64_t trainable_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_SCALE_SHIFT_H_
