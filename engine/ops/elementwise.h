// Keras Add / Multiply (and ONNX Add / Mul of two activations): inputs of
// the same shape combined element by element.
#ifndef GANSERVE_ENGINE_OPS_ELEMENTWISE_H_
#define GANSERVE_ENGINE_OPS_ELEMENTWISE_H_

#include "engine/op.h"

namespace ganserve {

class ElementwiseOp : public Op {
 public:
  enum class Kind { kAdd, kMultiply };
  explicit ElementwiseOp(Kind kind) : kind_(kind) {}
  static constexpr absl::string_view kAddType = "Add";
  static constexpr absl::string_view kMultiplyType = "Multiply";
  absl::string_view Type() const override { return kind_ == Kind::kAdd ? kAddType : kMultiplyType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_ELEMENTWISE_H_
