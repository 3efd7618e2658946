// The interface every layer implements (one file per op under engine/ops/).
// An op holds its typed attributes and weights, is immutable after
// construction, and knows its output shape, its parameter count and a plain
// reference kernel. It knows nothing of files, oneDNN or networks.
#ifndef GANSERVE_ENGINE_OP_H_
#define GANSERVE_ENGINE_OP_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/activation.h"
#include "engine/tensor.h"

namespace ganserve {

struct ParamCount {
  int64_t trainable = 0;
  int64_t non_trainable = 0;
  int64_t total() const { return trainable + non_trainable; }
};

class Op {
 public:
  virtual ~Op() = default;

  // Registry key, e.g. "Dense", "Conv2DTranspose": each op class's kType.
  virtual absl::string_view Type() const = 0;

  // What the core asks of any op, so that it names no op class:
  // the element-wise activation applied to the op's own result (a Dense's
  // or Conv2D's fused activation, an Activation layer's), or nullptr;
  virtual const Activation* OutputActivation() const { return nullptr; }
  // true when the op only renames the shape of its one input, the values
  // coming out unchanged and in order (Reshape, Flatten, Identity).
  virtual bool IsShapeOnly() const { return false; }
  // true when every output value is a value of the op's one input, moved but
  // not changed (shape-only ops, Transpose), so an element-wise activation
  // before the op fixes the value range after it;
  virtual bool MovesValuesUnchanged() const { return IsShapeOnly(); }
  // how many integer indices the op's input may hold (an Embedding's table
  // rows, so the input is a class label), or 0 when it takes values;
  virtual int64_t IndexCount() const { return 0; }
  // the same op with `bias` (one value per output channel) added to its
  // result, for loaders that fold a following Add; nullptr when the op has
  // no such form (it has a bias already, or an activation comes first);
  virtual std::shared_ptr<const Op> WithBias(const Tensor& bias) const { return nullptr; }
  // 2 x the multiply-accumulates per sample for these per-sample shapes,
  // for GFLOP/s figures; 0 for ops whose arithmetic is negligible.
  virtual double FlopsPerSample(absl::Span<const Dims> inputs, const Dims& output) const {
    return 0;
  }

  // Checks attributes and weights against the per-sample input shapes and
  // returns the per-sample output shape. Errors say what was expected.
  virtual absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const = 0;

  // Weights as Keras counts them (BatchNorm moving statistics are non-trainable).
  virtual ParamCount Params() const { return {}; }

  // The reference kernel: plain loops written to be obviously right.
  // `inputs` include the batch axis; `output` is already sized to
  // [batch, InferShape(...)...] by the caller.
  virtual absl::Status RunReference(absl::Span<const Tensor* const> inputs,
                                    Tensor& output) const = 0;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OP_H_
