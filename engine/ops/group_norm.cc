#include "engine/ops/group_norm.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace ganserve {

void NormalizeGroups(const Tensor& x, bool channels_last, int64_t groups, float epsilon,
                     const Tensor* scale, const Tensor* bias, Tensor& out) {
  const int64_t batch = x.shape[0];
  const int64_t channels = channels_last ? x.shape.back() : x.shape[1];
  const int64_t width = channels / groups;  // channels per group
  const int64_t per_sample = x.size() / std::max<int64_t>(batch, 1);
  const int64_t spatial = per_sample / channels;
  const int64_t count = width * spatial;
  // Calls f(index, channel) for every element of group g in a sample, in
  // memory order: channels last interleaves the channels, channels first
  // keeps each one contiguous.
  auto for_each = [&](int64_t g, auto&& f) {
    if (channels_last) {
      for (int64_t p = 0; p < spatial; ++p)
        for (int64_t c = g * width; c < (g + 1) * width; ++c) f(p * channels + c, c);
    } else {
      for (int64_t c = g * width; c < (g + 1) * width; ++c)
        for (int64_t p = 0; p < spatial; ++p) f(c * spatial + p, c);
    }
  };
  for (int64_t s = 0; s < batch; ++s) {
    const float* in = &x.data[s * per_sample];
    float* o = &out.data[s * per_sample];
    for (int64_t g = 0; g < groups; ++g) {
      double sum = 0.0;
      for_each(g, [&](int64_t i, int64_t) { sum += in[i]; });
      const double mean = sum / count;
      double squares = 0.0;
      for_each(g, [&](int64_t i, int64_t) { squares += (in[i] - mean) * (in[i] - mean); });
      const double inv_std = 1.0 / std::sqrt(squares / count + epsilon);
      for_each(g, [&](int64_t i, int64_t c) {
        const double gamma = scale ? scale->data[c] : 1.0;
        const double beta = bias ? bias->data[c] : 0.0;
        o[i] = static_cast<float>(gamma * (in[i] - mean) * inv_std + beta);
      });
    }
  }
}

absl::Status CheckGroupNorm(absl::string_view type, absl::Span<const Dims> inputs, size_t min_rank,
                            bool channels_last, int64_t groups, float epsilon, const Tensor* scale,
                            const Tensor* bias) {
  if (inputs.size() != 1 || inputs[0].size() < min_rank) {
    return absl::InvalidArgumentError(absl::StrCat(type, " takes one input with a channel axis",
                                                   min_rank > 1 ? " and at least one more" : ""));
  }
  const int64_t channels = channels_last ? inputs[0].back() : inputs[0].front();
  if ((scale && scale->size() != channels) || (bias && bias->size() != channels)) {
    return absl::InvalidArgumentError(absl::StrCat(type, ": ", channels, " channels but ",
                                                   scale ? scale->size() : 0, " scales and ",
                                                   bias ? bias->size() : 0, " biases"));
  }
  if (groups <= 0 || channels % groups != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(type, ": ", channels, " channels do not split into ", groups, " groups"));
  }
  if (!(epsilon >= 0.0f)) {
    return absl::InvalidArgumentError(absl::StrCat(type, ": epsilon must not be negative"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Dims> GroupNormOp::InferShape(absl::Span<const Dims> inputs) const {
  if (auto s = CheckGroupNorm(kType, inputs, 1, channels_last_, groups_, epsilon_,
                              scale_ ? &*scale_ : nullptr, bias_ ? &*bias_ : nullptr);
      !s.ok()) {
    return s;
  }
  return inputs[0];
}

absl::Status GroupNormOp::RunReference(absl::Span<const Tensor* const> inputs,
                                       Tensor& output) const {
  NormalizeGroups(*inputs[0], channels_last_, groups_, epsilon_, scale_ ? &*scale_ : nullptr,
                  bias_ ? &*bias_ : nullptr, output);
  return absl::OkStatus();
}

}  // namespace ganserve
