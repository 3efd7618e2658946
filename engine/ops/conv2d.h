// Keras Conv2D / ONNX Conv (group 1) on (H, W, C) samples, with an optional
// fused activation.
#ifndef GANSERVE_ENGINE_OPS_CONV2D_H_
#define GANSERVE_ENGINE_OPS_CONV2D_H_

#include <optional>

#include "engine/activation.h"
#include "engine/op.h"
#include "engine/ops/conv_geometry.h"

namespace ganserve {

class Conv2DOp : public Op {
 public:
  // kernel: [kh, kw, in, out] (Keras layout). bias: [out] or none.
  Conv2DOp(Tensor kernel, std::optional<Tensor> bias, ConvAttributes attrs, Activation activation)
      : kernel_(std::move(kernel)),
        bias_(std::move(bias)),
        attrs_(attrs),
        activation_(activation) {}
  static constexpr absl::string_view kType = "Conv2D";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  ParamCount Params() const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;

  const Tensor& kernel() const { return kernel_; }
  const std::optional<Tensor>& bias() const { return bias_; }
  const ConvAttributes& attrs() const { return attrs_; }
  const Activation& activation() const { return activation_; }
  const Activation* OutputActivation() const override { return &activation_; }
  double FlopsPerSample(absl::Span<const Dims> inputs, const Dims& output) const override {
    return 2.0 * kernel().size() * output[0] * output[1];
  }

 private:
  Tensor kernel_;
  std::optional<Tensor> bias_;
  ConvAttributes attrs_;
  Activation activation_;
};

// Checks what Conv2D and Conv2DTranspose have in common: a 4-D kernel whose
// input-channel axis `in_axis` matches the sample's channels, a bias of
// kernel.shape[out_axis], positive strides and dilations.
absl::Status CheckConvWeights(const Dims& input, const Tensor& kernel,
                              const std::optional<Tensor>& bias, const ConvAttributes& attrs,
                              int in_axis, int out_axis);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_CONV2D_H_
