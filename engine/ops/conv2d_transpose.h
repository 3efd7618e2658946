// Keras Conv2DTranspose / ONNX ConvTranspose (group 1): the gradient of a
// Conv2D with respect to its input, then cropped or extended as
// TransposedConvAxis describes. No spatial flip of the kernel.
#ifndef GANSERVE_ENGINE_OPS_CONV2D_TRANSPOSE_H_
#define GANSERVE_ENGINE_OPS_CONV2D_TRANSPOSE_H_

#include <optional>

#include "engine/activation.h"
#include "engine/op.h"
#include "engine/ops/conv_geometry.h"

namespace ganserve {

class Conv2DTransposeOp : public Op {
 public:
  // kernel: [kh, kw, out, in] (Keras layout). bias: [out] or none.
  Conv2DTransposeOp(Tensor kernel, std::optional<Tensor> bias, ConvAttributes attrs,
                    Activation activation)
      : kernel_(std::move(kernel)),
        bias_(std::move(bias)),
        attrs_(attrs),
        activation_(activation) {}
  static constexpr absl::string_view kType = "Conv2DTranspose";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  ParamCount Params() const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;

  const Tensor& kernel() const { return kernel_; }
  const std::optional<Tensor>& bias() const { return bias_; }
  const ConvAttributes& attrs() const { return attrs_; }
  const Activation& activation() const { return activation_; }
  const Activation* OutputActivation() const override { return &activation_; }
  // The full transposed conv, before cropping.
  double FlopsPerSample(absl::Span<const Dims> inputs, const Dims& output) const override {
    return 2.0 * kernel().size() * inputs[0][0] * inputs[0][1];
  }

 private:
  Tensor kernel_;
  std::optional<Tensor> bias_;
  ConvAttributes attrs_;
  Activation activation_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_CONV2D_TRANSPOSE_H_
