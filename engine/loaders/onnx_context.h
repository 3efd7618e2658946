// The ONNX loader's working state: which ONNX tensors are constants and
// which are IR values, and the layout bookkeeping between ONNX's NCHW and
// the IR's channels-last samples. Transposes are inserted lazily, only
// where an op needs the other order, and each is made once per value.
#ifndef GANSERVE_ENGINE_LOADERS_ONNX_CONTEXT_H_
#define GANSERVE_ENGINE_LOADERS_ONNX_CONTEXT_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph.h"
#include "engine/loaders/onnx_proto_reader.h"

namespace ganserve {

// kOnnxOrder: the IR holds the sample in ONNX's axis order.
// kChannelsLast: a (C, H, W) ONNX sample stored as (H, W, C) in the IR.
enum class OnnxValueLayout { kOnnxOrder, kChannelsLast };

struct OnnxValue {
  int node = -1;
  Dims onnx_dims;  // per sample (batch dropped), in ONNX order
  OnnxValueLayout layout = OnnxValueLayout::kOnnxOrder;
  // A 0/1 value a comparison made: ONNX's bool, which only Where, Not and
  // Cast take.
  bool mask = false;
};

// The IR shape a value with these ONNX dims has in this layout. A scalar
// per sample is stored as (1,).
Dims IrDims(const Dims& onnx_dims, OnnxValueLayout layout);

// Every axis in [0, 2^31) and at most 2^28 elements: what a loader accepts
// from a file before allocating anything of that shape.
bool SaneDims(const Dims& dims);

class OnnxContext {
 public:
  explicit OnnxContext(int64_t opset) : opset_(opset) {}
  int64_t opset() const { return opset_; }

  void SetConst(const std::string& name, ConstTensor c) { consts_[name] = std::move(c); }
  void SetValue(const std::string& name, OnnxValue v) { values_[name] = std::move(v); }
  const ConstTensor* FindConst(const std::string& name) const;
  const OnnxValue* FindValue(const std::string& name) const;

  // Input `i` of `node`, which must be a load-time constant / an IR value.
  absl::StatusOr<const ConstTensor*> ConstInput(const onnx::NodeProto& node, int i) const;
  absl::StatusOr<OnnxValue> ValueInput(const onnx::NodeProto& node, int i) const;
  // Input `i` as an IR value; a constant whose leading (batch) axis is 1
  // becomes a BatchedConstant, the same for every sample. What PyTorch
  // exports for torch.zeros(1, ...) concatenated to or combined with a batch.
  absl::StatusOr<OnnxValue> ValueOrBatchedConstant(const onnx::NodeProto& node, int i);
  // A BatchedConstant node holding `per_sample` (ONNX order, batch dropped).
  absl::StatusOr<OnnxValue> AddBatchedConstant(const std::string& name,
                                               const ConstTensor& per_sample);
  // Whether input i is present (optional inputs may be missing or "").
  static bool HasInput(const onnx::NodeProto& node, int i);

  // Appends an IR node (shape-checked now) and returns its index.
  absl::StatusOr<int> AddNode(const std::string& name, const std::string& class_name,
                              std::shared_ptr<const Op> op, std::vector<int> inputs);
  const Node& node(int i) const { return nodes_[i]; }
  void ReplaceOp(int i, std::shared_ptr<const Op> op) { nodes_[i].op = std::move(op); }

  // The node holding `v` in the requested layout, adding a transpose if
  // needed. Only 3-D samples have two layouts.
  absl::StatusOr<int> InLayout(const OnnxValue& v, OnnxValueLayout layout);
  // Records `output_name` as the value of IR node `ir_node` with these ONNX
  // dims and layout; adds a Reshape when the IR shape differs (a scalar
  // sample, an Embedding's extra axis).
  absl::Status Define(const std::string& output_name, int ir_node, Dims onnx_dims,
                      OnnxValueLayout layout);

  // Marks a defined value as a comparison's 0/1 mask.
  void MarkMask(const std::string& output_name) { values_[output_name].mask = true; }

  int ConsumerCount(const std::string& name) const;
  void CountConsumers(const onnx::GraphProto& graph);

  // The batch that every graph input declares, or -1 if they differ or one
  // leaves it symbolic. Since no op acts across axis 0, every value then has
  // that batch, and a Reshape target may name it literally.
  void NoteDeclaredBatch(int64_t batch);
  int64_t declared_batch() const { return declared_batch_; }

  std::vector<Node> TakeNodes() { return std::move(nodes_); }

 private:
  int64_t opset_;
  int64_t declared_batch_ = 0;  // 0 until the first input is noted
  std::map<std::string, ConstTensor> consts_;
  std::map<std::string, OnnxValue> values_;
  std::map<std::string, int> consumers_;
  std::map<std::pair<int, OnnxValueLayout>, int> transposed_;  // (node, target layout) -> node
  std::vector<Node> nodes_;
};

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_LOADERS_ONNX_CONTEXT_H_
