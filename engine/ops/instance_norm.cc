#include "engine/ops/instance_norm.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Dims> InstanceNormOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1 || inputs[0].size() < 2) {
    return absl::InvalidArgumentError(
        "InstanceNormalization takes one input with a channel axis and at least one more");
  }
  const int64_t channels = channels_last_ ? inputs[0].back() : inputs[0].front();
  if (scale_.size() != channels || bias_.size() != channels) {
    return absl::InvalidArgumentError(absl::StrCat("InstanceNormalization: ", channels,
                                                   " channels but ", scale_.size(), " scales and ",
                                                   bias_.size(), " biases"));
  }
  if (!(epsilon_ >= 0.0f)) {
    return absl::InvalidArgumentError("InstanceNormalization: epsilon must not be negative");
  }
  return inputs[0];
}

absl::Status InstanceNormOp::RunReference(absl::Span<const Tensor* const> inputs,
                                          Tensor& output) const {
  const Tensor& x = *inputs[0];
  const int64_t batch = x.shape[0];
  const int64_t channels = scale_.size();
  const int64_t per_sample = x.size() / std::max<int64_t>(batch, 1);
  const int64_t spatial = per_sample / channels;
  // Element i of channel c in a sample: channels last interleaves them.
  auto at = [&](int64_t c, int64_t i) {
    return channels_last_ ? i * channels + c : c * spatial + i;
  };
  for (int64_t s = 0; s < batch; ++s) {
    const float* in = &x.data[s * per_sample];
    float* out = &output.data[s * per_sample];
    for (int64_t c = 0; c < channels; ++c) {
      double sum = 0.0;
      for (int64_t i = 0; i < spatial; ++i) sum += in[at(c, i)];
      const double mean = sum / spatial;
      double squares = 0.0;
      for (int64_t i = 0; i < spatial; ++i)
        squares += (in[at(c, i)] - mean) * (in[at(c, i)] - mean);
      const double inv_std = 1.0 / std::sqrt(squares / spatial + epsilon_);
      for (int64_t i = 0; i < spatial; ++i) {
        out[at(c, i)] =
            static_cast<float>(scale_.data[c] * (in[at(c, i)] - mean) * inv_std + bias_.data[c]);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace ganserve
