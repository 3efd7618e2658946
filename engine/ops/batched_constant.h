// A constant repeated for every sample of the batch: what an ONNX constant
// concatenated to, or expanded beside, batched values becomes. Its one input
// only tells the batch size.
#ifndef GANSERVE_ENGINE_OPS_BATCHED_CONSTANT_H_
#define GANSERVE_ENGINE_OPS_BATCHED_CONSTANT_H_

#include "engine/op.h"

namespace ganserve {

class BatchedConstantOp : public Op {
 public:
  explicit BatchedConstantOp(Tensor sample) : sample_(std::move(sample)) {}
  static constexpr absl::string_view kType = "BatchedConstant";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;
  const Tensor& sample() const { return sample_; }

 private:
  Tensor sample_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_BATCHED_CONSTANT_H_
