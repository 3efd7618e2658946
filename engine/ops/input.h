// A model input: its per-sample shape. Labels for conditional models are
// float inputs too (Keras feeds them as float32 [N, 1]); Embedding casts them.
#ifndef GANSERVE_ENGINE_OPS_INPUT_H_
#define GANSERVE_ENGINE_OPS_INPUT_H_

#include "engine/op.h"

namespace ganserve {

class InputOp : public Op {
 public:
  explicit InputOp(Dims dims) : dims_(std::move(dims)) {}
  static constexpr absl::string_view kType = "Input";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  const Dims& dims() const { return dims_; }

 private:
  Dims dims_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_INPUT_H_
