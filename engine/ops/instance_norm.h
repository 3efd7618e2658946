// InstanceNormalization: each sample's channels normalized by their own mean
// and variance over the other per-sample axes, then scaled and shifted:
// y = scale[c] * (x - mean_c) / sqrt(var_c + epsilon) + bias[c].
// PyTorch's GroupNorm exports as this on (groups, -1) samples.
#ifndef GANSERVE_ENGINE_OPS_INSTANCE_NORM_H_
#define GANSERVE_ENGINE_OPS_INSTANCE_NORM_H_

#include "engine/op.h"

namespace ganserve {

class InstanceNormOp : public Op {
 public:
  // channels_last: the channel axis is the last per-sample axis, else the first.
  InstanceNormOp(bool channels_last, float epsilon, Tensor scale, Tensor bias)
      : channels_last_(channels_last),
        epsilon_(epsilon),
        scale_(std::move(scale)),
        bias_(std::move(bias)) {}
  static constexpr absl::string_view kType = "InstanceNormalization";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  ParamCount Params() const override { return {scale_.size() + bias_.size(), 0}; }
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  bool channels_last() const { return channels_last_; }
  float epsilon() const { return epsilon_; }
  const Tensor& scale() const { return scale_; }
  const Tensor& bias() const { return bias_; }

 private:
  bool channels_last_;
  float epsilon_;
  Tensor scale_, bias_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_INSTANCE_NORM_H_
