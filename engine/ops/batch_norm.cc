#include "engine/ops/batch_norm.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Dims> BatchNormOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) return absl::InvalidArgumentError("BatchNormalization takes one input");
  const Dims& in = inputs[0];
  const int rank = static_cast<int>(in.size());
  const int axis = axis_ < 0 ? rank + axis_ : axis_;
  if (axis < 0 || axis >= rank) {
    return absl::InvalidArgumentError(
        absl::StrCat("axis ", axis_, " is out of range for input ", DimsToString(in)));
  }
  const Dims want{in[axis]};
  auto check = [&](const Tensor& t, const char* what) -> absl::Status {
    if (t.shape != want) {
      return absl::InvalidArgumentError(absl::StrCat(what, " must have shape ",
                                                     DimsToString(want), ", got ",
                                                     DimsToString(t.shape)));
    }
    return absl::OkStatus();
  };
  if (w_.gamma) {
    if (auto s = check(*w_.gamma, "gamma"); !s.ok()) return s;
  }
  if (w_.beta) {
    if (auto s = check(*w_.beta, "beta"); !s.ok()) return s;
  }
  if (auto s = check(w_.moving_mean, "moving_mean"); !s.ok()) return s;
  if (auto s = check(w_.moving_variance, "moving_variance"); !s.ok()) return s;
  return in;
}

ParamCount BatchNormOp::Params() const {
  return {(w_.gamma ? w_.gamma->size() : 0) + (w_.beta ? w_.beta->size() : 0),
          w_.moving_mean.size() + w_.moving_variance.size()};
}

void BatchNormOp::ScaleAndShift(std::vector<float>& scale, std::vector<float>& shift) const {
  const int64_t c = w_.moving_mean.size();
  scale.resize(c);
  shift.resize(c);
  for (int64_t i = 0; i < c; ++i) {
    const double g = w_.gamma ? w_.gamma->data[i] : 1.0;
    const double b = w_.beta ? w_.beta->data[i] : 0.0;
    const double s = g / std::sqrt(double{w_.moving_variance.data[i]} + epsilon_);
    scale[i] = static_cast<float>(s);
    shift[i] = static_cast<float>(b - w_.moving_mean.data[i] * s);
  }
}

absl::Status BatchNormOp::RunReference(absl::Span<const Tensor* const> inputs,
                                       Tensor& output) const {
  const Tensor& x = *inputs[0];
  const int rank = static_cast<int>(x.shape.size()) - 1;
  const int axis = (axis_ < 0 ? rank + axis_ : axis_) + 1;  // in the batched shape
  int64_t inner = 1;
  for (size_t a = axis + 1; a < x.shape.size(); ++a) inner *= x.shape[a];
  const int64_t channels = x.shape[axis];
  for (int64_t i = 0; i < x.size(); ++i) {
    const int64_t c = (i / inner) % channels;
    const double g = w_.gamma ? w_.gamma->data[c] : 1.0;
    const double b = w_.beta ? w_.beta->data[c] : 0.0;
    const double norm = (x.data[i] - double{w_.moving_mean.data[c]}) /
                        std::sqrt(double{w_.moving_variance.data[c]} + epsilon_);
    output.data[i] = static_cast<float>(g * norm + b);
  }
  return absl::OkStatus();
}

}  // namespace ganserve
