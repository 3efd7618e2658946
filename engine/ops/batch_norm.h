// BatchNormalization at inference:
// y = gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta
// along one per-sample axis (Keras's default, the last).
#ifndef GANSERVE_ENGINE_OPS_BATCH_NORM_H_
#define GANSERVE_ENGINE_OPS_BATCH_NORM_H_

#include <optional>

#include "engine/op.h"

namespace ganserve {

struct BatchNormWeights {
  std::optional<Tensor> gamma;  // Keras scale=False leaves it out
  std::optional<Tensor> beta;   // Keras center=False leaves it out
  Tensor moving_mean;
  Tensor moving_variance;
};

class BatchNormOp : public Op {
 public:
  // axis: the per-sample axis (0-based, batch excluded); -1 is the last.
  BatchNormOp(int axis, float epsilon, BatchNormWeights weights)
      : axis_(axis), epsilon_(epsilon), w_(std::move(weights)) {}
  static constexpr absl::string_view kType = "BatchNormalization";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  ParamCount Params() const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;

  int axis() const { return axis_; }
  // True when it normalizes the last axis of a `rank`-d sample.
  bool IsChannelsLast(size_t rank) const {
    return axis_ == -1 || axis_ == static_cast<int>(rank) - 1;
  }
  float epsilon() const { return epsilon_; }
  const BatchNormWeights& weights() const { return w_; }
  // scale[c] = gamma / sqrt(var + eps), shift[c] = beta - mean * scale: the
  // affine map BatchNorm is at inference, used for folding into convs.
  void ScaleAndShift(std::vector<float>& scale, std::vector<float>& shift) const;

 private:
  int axis_;
  float epsilon_;
  BatchNormWeights w_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_BATCH_NORM_H_
