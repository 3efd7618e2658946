// Keras Conv2D / ONNX Conv (group 1) on (H, W, C) samples, with an optional
// fused activation.
#ifndef GANSERVE_ENGINE_OPS_CONV2D_H_
#define GANSERVE_ENGINE_OPS_CONV2D_H_

#include "engine/ops/weighted_conv.h"

namespace ganserve {

class Conv2DOp : public WeightedConvOp {
 public:
  // kernel: [kh, kw, in, out] (Keras layout). bias: [out] or none.
  Conv2DOp(Tensor kernel, std::optional<Tensor> bias, ConvAttributes attrs, Activation activation)
      : WeightedConvOp(std::move(kernel), std::move(bias), attrs, activation) {}
  static constexpr absl::string_view kType = "Conv2D";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;

  double FlopsPerSample(absl::Span<const Dims> inputs, const Dims& output) const override {
    return 2.0 * kernel().size() * output[0] * output[1];
  }
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_CONV2D_H_
