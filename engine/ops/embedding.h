// Keras Embedding / ONNX Gather on a constant table: each float index is cast
// to an integer (truncation, as tf.cast does) and replaced by its table row.
#ifndef GANSERVE_ENGINE_OPS_EMBEDDING_H_
#define GANSERVE_ENGINE_OPS_EMBEDDING_H_

#include "engine/op.h"

namespace ganserve {

class EmbeddingOp : public Op {
 public:
  // table: [input_dim, output_dim].
  explicit EmbeddingOp(Tensor table) : table_(std::move(table)) {}
  static constexpr absl::string_view kType = "Embedding";
  absl::string_view Type() const override { return kType; }
  absl::StatusOr<Dims> InferShape(absl::Span<const Dims> inputs) const override;
  ParamCount Params() const override { return {table_.size(), 0}; }
  // An index outside [0, input_dim) is an InvalidArgument error.
  absl::Status RunReference(absl::Span<const Tensor* const> inputs, Tensor& output) const override;

  const Tensor& table() const { return table_; }
  int64_t input_dim() const { return table_.shape.empty() ? 0 : table_.shape[0]; }
  int64_t IndexCount() const override { return input_dim(); }
  int64_t output_dim() const { return table_.shape.size() < 2 ? 0 : table_.shape[1]; }

 private:
  Tensor table_;
};

// The row an index value selects, or an error naming the valid range.
absl::StatusOr<int64_t> EmbeddingRow(float index, int64_t input_dim);

}  // namespace ganserve

#endif  // GANSERVE_ENGINE_OPS_EMBEDDING_H_
