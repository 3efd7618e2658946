// Permutes the per-sample axes (Keras Permute, ONNX Transpose). The ONNX
// loader also uses it at the graph edges, since the IR is channels-last.
#ifndef GANSERVE_ENGINE_OPS_TRANSPOSE_H_
#define GANSERVE_ENGINE_OPS_TRANSPOSE_H_

#include <vector>

#include "engine/op.h"

namespace ganserve {

class TransposeOp : public Op {
 public:
  // output axis i = input axis perm[i] (per-sample axes, 0-based).
  explicit TransposeOp(std::vector<int> perm) : perm_(std::move(perm)) {}
  static constexpr absl::string_view kType = "Transpose";
  absl::string_view Type() const override { return kType; }
  bool MovesValuesUnchanged() const override { return true; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  const std::vector<int>& perm() const { return perm_; }

 private:
  std::vector<int> perm_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_TRANSPOSE_H_
