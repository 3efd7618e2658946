// GroupNormalization: each sample's channels split into `groups` runs of
// consecutive channels, each run normalized by its own mean and variance over
// its channels and the other per-sample axes, then every channel scaled and
// shifted: y = scale[c] * (x - mean_g) / sqrt(var_g + epsilon) + bias[c].
// Keras 3's GroupNormalization (channels last); one channel per group is
// InstanceNormalization, which shares the kernel.
#ifndef GANSERVE_ENGINE_OPS_GROUP_NORM_H_
#define GANSERVE_ENGINE_OPS_GROUP_NORM_H_

#include <optional>

#include "engine/op.h"

namespace ganserve {

// The kernel of both ops: `x` is (batch, ...), its channel axis the last
// per-sample axis when channels_last, else the first. No scale is all ones,
// no bias all zeros (a Keras layer without gamma or beta).
void NormalizeGroups(const Tensor& x, bool channels_last, int64_t groups, float epsilon,
                     const Tensor* scale, const Tensor* bias, Tensor& out);

// Checks one input of at least `min_rank` per-sample axes, a scale and a bias
// per channel (or empty), channels split evenly into `groups`, and a
// non-negative epsilon.
absl::Status CheckGroupNorm(absl::string_view type, absl::Span<const Dims> inputs, size_t min_rank,
                            bool channels_last, int64_t groups, float epsilon, const Tensor* scale,
                            const Tensor* bias);

class GroupNormOp : public Op {
 public:
  GroupNormOp(bool channels_last, int64_t groups, float epsilon, std::optional<Tensor> scale,
              std::optional<Tensor> bias)
      : channels_last_(channels_last),
        groups_(groups),
        epsilon_(epsilon),
        scale_(std::move(scale)),
        bias_(std::move(bias)) {}
  static constexpr absl::string_view kType = "GroupNormalization";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  ParamCount Params() const override {
    return {(scale_ ? scale_->size() : 0) + (bias_ ? bias_->size() : 0), 0};
  }
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  bool channels_last() const { return channels_last_; }
  int64_t groups() const { return groups_; }
  float epsilon() const { return epsilon_; }
  const std::optional<Tensor>& scale() const { return scale_; }
  const std::optional<Tensor>& bias() const { return bias_; }

 private:
  bool channels_last_;
  int64_t groups_;
  float epsilon_;
  std::optional<Tensor> scale_, bias_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_GROUP_NORM_H_
