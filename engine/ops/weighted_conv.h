// What Conv2D and Conv2DTranspose share: a 4-D kernel in Keras layout, an
// optional per-output-channel bias, the window attributes and a fused
// output activation.
#ifndef GANSERVE_ENGINE_OPS_WEIGHTED_CONV_H_
#define GANSERVE_ENGINE_OPS_WEIGHTED_CONV_H_

#include <optional>

#include "engine/activation.h"
#include "engine/op.h"
#include "engine/ops/conv_geometry.h"

namespace ganserve {

class WeightedConvOp : public Op {
 public:
  ParamCount Params() const override;

  const Tensor& kernel() const { return kernel_; }
  const std::optional<Tensor>& bias() const { return bias_; }
  const ConvAttributes& attrs() const { return attrs_; }
  const Activation& activation() const { return activation_; }
  const Activation* OutputActivation() const override { return &activation_; }

 protected:
  WeightedConvOp(Tensor kernel, std::optional<Tensor> bias, ConvAttributes attrs,
                 Activation activation)
      : kernel_(std::move(kernel)),
        bias_(std::move(bias)),
        attrs_(attrs),
        activation_(activation) {}

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

#endif  // GANSERVE_ENGINE_OPS_WEIGHTED_CONV_H_
