// Keras Conv2DTranspose / ONNX ConvTranspose (group 1): the gradient of a
// Conv2D with respect to its input, then cropped or extended as
// TransposedConvAxis describes. No spatial flip of the kernel.
#ifndef GANSERVE_ENGINE_OPS_CONV2D_TRANSPOSE_H_
#define GANSERVE_ENGINE_OPS_CONV2D_TRANSPOSE_H_

#include "engine/ops/weighted_conv.h"

namespace ganserve {

class Conv2DTransposeOp : public WeightedConvOp {
 public:
  // kernel: [kh, kw, out, in] (Keras layout). bias: [out] or none.
  Conv2DTransposeOp(Tensor kernel, std::optional<Tensor> bias, ConvAttributes attrs,
                    Activation activation)
      : WeightedConvOp(std::move(kernel), std::move(bias), attrs, activation) {}
  static constexpr absl::string_view kType = "Conv2DTranspose";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;

  // The full transposed conv, before cropping.
  double FlopsPerSample(absl::Span<const Dims> inputs, const Dims& output) const override {
    return 2.0 * kernel().size() * inputs[0][0] * inputs[0][1];
  }
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_CONV2D_TRANSPOSE_H_
