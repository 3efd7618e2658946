#include "engine/ops/dense.h"

#include "absl/strings/str_cat.h"

namespace ganserve {

absl::StatusOr<Dims> DenseOp::InferShape(absl::Span<const Dims> inputs) const {
  if (inputs.size() != 1) return absl::InvalidArgumentError("Dense takes one input");
  if (kernel_.shape.size() != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("kernel must be 2-D (in, out), got ", DimsToString(kernel_.shape)));
  }
  const Dims& in = inputs[0];
  if (in.empty() || in.back() != kernel_.shape[0]) {
    return absl::InvalidArgumentError(absl::StrCat("kernel ", DimsToString(kernel_.shape),
                                                   " expects a last axis of ", kernel_.shape[0],
                                                   ", input has shape ", DimsToString(in)));
  }
  if (bias_ && bias_->shape != Dims{kernel_.shape[1]}) {
    return absl::InvalidArgumentError(absl::StrCat("bias must have shape (", kernel_.shape[1],
                                                   ",), got ", DimsToString(bias_->shape)));
  }
  Dims out = in;
  out.back() = kernel_.shape[1];
  return out;
}

std::shared_ptr<const Op> DenseOp::WithBias(const Tensor& bias) const {
  if (bias_.has_value() || !activation_.IsLinear() || bias.shape != Dims{units()}) return nullptr;
  return std::make_shared<DenseOp>(kernel_, bias, activation_);
}

ParamCount DenseOp::Params() const { return {kernel_.size() + (bias_ ? bias_->size() : 0), 0}; }

absl::Status DenseOp::RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const {
  const Tensor& x = *inputs[0];
  const int64_t in = kernel_.shape[0], out = kernel_.shape[1];
  const int64_t rows = x.size() / in;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t o = 0; o < out; ++o) {
      double acc = bias_ ? bias_->data[o] : 0.0;
      for (int64_t i = 0; i < in; ++i)
        acc += double{x.data[r * in + i]} * kernel_.data[i * out + o];
      output.data[r * out + o] = activation_.Apply(static_cast<float>(acc));
    }
  }
  return absl::OkStatus();
}

}  // namespace ganserve
