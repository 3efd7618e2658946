// Keras Dense: y = act(x · kernel + bias) on the last axis of any rank.
#ifndef GANSERVE_ENGINE_OPS_DENSE_H_
#define GANSERVE_ENGINE_OPS_DENSE_H_

#include <optional>

#include "engine/activation.h"
#include "engine/op.h"

namespace ganserve {

class DenseOp : public Op {
 public:
  // kernel: [in, out] (Keras layout). bias: [out] or none.
  DenseOp(Tensor kernel, std::optional<Tensor> bias, Activation activation)
      : kernel_(std::move(kernel)), bias_(std::move(bias)), activation_(activation) {}
  static constexpr absl::string_view kType = "Dense";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  ParamCount Params() const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;

  const Tensor& kernel() const { return kernel_; }
  const std::optional<Tensor>& bias() const { return bias_; }
  const Activation& activation() const { return activation_; }
  const Activation* OutputActivation() const override { return &activation_; }
  std::shared_ptr<const Op> WithBias(const Tensor& bias) const override;
  double FlopsPerSample(absl::Span<const Dims> inputs, const Dims& output) const override {
    return 2.0 * kernel().size() * NumElements(output) / units();
  }
  int64_t units() const { return kernel_.shape.size() == 2 ? kernel_.shape[1] : 0; }

 private:
  Tensor kernel_;
  std::optional<Tensor> bias_;
  Activation activation_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_DENSE_H_
