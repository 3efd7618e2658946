// Keras softmax / log_softmax (the activations, the Softmax layer) and ONNX
// Softmax / LogSoftmax: normalised over one per-sample axis, so not an
// element-wise Activation.
#ifndef GANSERVE_ENGINE_OPS_SOFTMAX_H_
#define GANSERVE_ENGINE_OPS_SOFTMAX_H_

#include "engine/op.h"

namespace ganserve {

class SoftmaxOp : public Op {
 public:
  // axis: per-sample axis (batch excluded); negative counts from the end.
  SoftmaxOp(int axis, bool log) : axis_(axis), log_(log) {}
  static constexpr absl::string_view kType = "Softmax";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  int axis() const { return axis_; }
  bool log() const { return log_; }

 private:
  int axis_;
  bool log_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_SOFTMAX_H_
