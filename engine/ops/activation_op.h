// A standalone activation layer: Keras Activation, LeakyReLU, ReLU, ELU,
// and the ONNX element-wise activations.
#ifndef GANSERVE_ENGINE_OPS_ACTIVATION_OP_H_
#define GANSERVE_ENGINE_OPS_ACTIVATION_OP_H_

#include "engine/activation.h"
#include "engine/op.h"

namespace ganserve {

class ActivationOp : public Op {
 public:
  explicit ActivationOp(Activation activation) : activation_(activation) {}
  static constexpr absl::string_view kType = "Activation";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  const Activation& activation() const { return activation_; }
  const Activation* OutputActivation() const override { return &activation_; }

 private:
  Activation activation_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_ACTIVATION_OP_H_
